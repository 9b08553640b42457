/** A small canvas time-series chart: one stacked panel per visible series, shared zoomable time axis, legend toggles. */
import { t } from './i18n';

export interface ChartSeries {
  id: string;
  label: string;
  uom: string;
  times: Float64Array;
  values: Float64Array; // NaN = gap
  /** Points with a flag other than good/probably good, when asked for: drawn as marks, not joined. */
  flagged?: Columns;
}

export interface Columns {
  times: Float64Array;
  values: Float64Array;
  qc: Uint8Array; // 255 = no flag
}

/** Loads the series of a time range, downsampled to about `buckets` buckets on the server; flagged points too when `flagged`. */
export type RangeLoader = (from: number, to: number, buckets: number, flagged: boolean, signal: AbortSignal) => Promise<ChartSeries[]>;

const COLORS = ['#0b6e99', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#5f3dc4', '#e67700', '#087f5b'];
const MARGIN = { left: 64, right: 12, top: 8, bottom: 26 };

/** At least three round ticks inside [min, max] when the range allows (a single "30" says nothing about the scale). */
export function axisTicks(min: number, max: number): number[] {
  let ticks = niceTicks(min, max, 4);
  for (let count = 5; ticks.length < 3 && count <= 12; count++) ticks = niceTicks(min, max, count);
  return ticks;
}

/** Round tick positions covering [min, max]. */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

const DAY = 86_400_000;
const TIME_STEPS = [3_600_000, 6 * 3_600_000, DAY, 7 * DAY, 30 * DAY, 61 * DAY, 91 * DAY, 182 * DAY, 365 * DAY, 730 * DAY, 1826 * DAY];

function ticksAt(from: number, to: number, step: number): number[] {
  const ticks: number[] = [];
  if (step < 30 * DAY) {
    for (let tt = Math.ceil(from / step) * step; tt <= to; tt += step) ticks.push(tt);
    return ticks;
  }
  const months = step >= 365 * DAY ? Math.round(step / (365 * DAY)) * 12 : step >= 182 * DAY ? 6 : step >= 91 * DAY ? 3 : step >= 61 * DAY ? 2 : 1;
  const d = new Date(from);
  // Month index counted from year 0, so multi-year steps fall on round years.
  let idx = Math.ceil((d.getUTCFullYear() * 12 + d.getUTCMonth()) / months) * months;
  for (let tt = Date.UTC(Math.floor(idx / 12), idx % 12, 1); tt <= to; tt = Date.UTC(Math.floor(idx / 12), idx % 12, 1)) {
    if (tt >= from) ticks.push(tt);
    idx += months;
  }
  return ticks;
}

/** Time axis ticks on round instants (hours, days, weeks, months, years): at most about `maxTicks`, at least two when possible. */
export function timeTicks(from: number, to: number, maxTicks: number): { ticks: number[]; label: (t: number) => string } {
  let i = TIME_STEPS.findIndex((s) => (to - from) / s <= maxTicks);
  if (i < 0) i = TIME_STEPS.length - 1;
  let ticks = ticksAt(from, to, TIME_STEPS[i]);
  while (ticks.length < 2 && i > 0) ticks = ticksAt(from, to, TIME_STEPS[--i]);
  const step = TIME_STEPS[i];
  const label = (tt: number) => {
    const iso = new Date(tt).toISOString();
    if (step >= 365 * DAY) return iso.slice(0, 4);
    if (step >= 30 * DAY) return iso.slice(0, 7);
    if (step >= DAY) return iso.slice(0, 10);
    return iso.slice(5, 16).replace('T', ' ');
  };
  return { ticks, label };
}

/** The chart widget; `load` is called for the initial range and after each zoom. */
export class TimeSeriesChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly legend: HTMLElement;
  private readonly status: HTMLElement;
  private readonly selection: HTMLElement;
  private series: ChartSeries[] = [];
  private hidden = new Set<string>();
  /** Everything there is (zoom-out limit) and the initial view (the last year). */
  private full: [number, number] = [0, 1];
  private initial: [number, number] = [0, 1];
  private view: [number, number] = [0, 1];
  private abort?: AbortController;
  private dragStart?: number;
  private showFlagged = false;
  private readonly flaggedToggle: HTMLButtonElement;

  constructor(private readonly load: RangeLoader) {
    this.element = document.createElement('div');
    this.element.className = 'chart';
    const toolbar = document.createElement('div');
    toolbar.className = 'chart-toolbar';
    const button = (cls: string, label: string, onClick: () => void) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = cls;
      b.textContent = label;
      b.addEventListener('click', onClick);
      toolbar.append(b);
      return b;
    };
    button('zoom-in', t('zoomIn'), () => this.zoomBy(0.5)).dataset.i18n = 'zoomIn';
    button('zoom-out', t('zoomOut'), () => this.zoomBy(2)).dataset.i18n = 'zoomOut';
    button('zoom-reset', t('resetZoom'), () => this.zoomTo(this.initial[0], this.initial[1])).dataset.i18n = 'resetZoom';
    button('zoom-all', t('allData'), () => this.zoomTo(this.full[0], this.full[1])).dataset.i18n = 'allData';
    // Good and probably good values only by default; the rest on request, marked (issue 17).
    this.flaggedToggle = button('show-flagged', t('showFlagged'), () => {
      this.showFlagged = !this.showFlagged;
      this.flaggedToggle.setAttribute('aria-pressed', String(this.showFlagged));
      void this.zoomTo(this.view[0], this.view[1]);
    });
    this.flaggedToggle.dataset.i18n = 'showFlagged';
    this.flaggedToggle.setAttribute('aria-pressed', 'false');
    this.legend = document.createElement('div');
    this.legend.className = 'chart-legend';
    this.legend.setAttribute('role', 'group');
    const plot = document.createElement('div');
    plot.className = 'chart-plot';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.selection = document.createElement('div');
    this.selection.className = 'chart-selection';
    this.selection.hidden = true;
    plot.append(this.canvas, this.selection);
    this.status = document.createElement('p');
    this.status.className = 'chart-status';
    this.status.setAttribute('aria-live', 'polite');
    const help = document.createElement('p');
    help.className = 'hint';
    help.textContent = t('chartHelp');
    help.dataset.i18n = 'chartHelp';
    this.element.append(toolbar, this.legend, plot, this.status, help);
    this.bindDrag(plot);
    new ResizeObserver(() => this.draw()).observe(plot);
  }

  /** Shows a new time range from scratch (a new station). */
  async reset(from: number, to: number, extent: [number, number] = [from, to]): Promise<void> {
    this.full = [Math.min(extent[0], from), Math.max(extent[1], to)];
    this.initial = [from, to];
    this.series = [];
    this.hidden.clear();
    await this.zoomTo(from, to);
  }

  /** Makes sure one series is shown (a dataset was chosen). */
  reveal(id: string): void {
    if (this.hidden.delete(id)) {
      this.renderLegend();
      this.draw();
    }
  }

  private zoomBy(factor: number): Promise<void> {
    const mid = (this.view[0] + this.view[1]) / 2;
    const half = ((this.view[1] - this.view[0]) * factor) / 2;
    return this.zoomTo(Math.max(this.full[0], mid - half), Math.min(this.full[1], mid + half));
  }

  private async zoomTo(from: number, to: number): Promise<void> {
    if (to - from < 3_600_000) return;
    this.view = [from, to];
    this.draw();
    this.abort?.abort();
    const ac = new AbortController();
    this.abort = ac;
    this.status.textContent = t('loading');
    this.element.dataset.state = 'loading';
    try {
      const buckets = Math.max(50, Math.round(this.plotWidth()));
      const series = await this.load(from, to, buckets, this.showFlagged, ac.signal);
      if (ac.signal.aborted) return;
      this.series = series;
      this.status.textContent = series.every((s) => s.times.length === 0) ? t('noData') : '';
      this.renderLegend();
      this.draw();
      this.element.dataset.state = 'ready';
    } catch (err) {
      if (ac.signal.aborted) return;
      this.status.textContent = t('loadError');
      this.element.dataset.state = 'error';
    }
  }

  private plotWidth(): number {
    return (this.canvas.parentElement?.clientWidth || 600) - MARGIN.left - MARGIN.right;
  }

  private renderLegend(): void {
    const items = this.series.map((s, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'legend-item';
      b.setAttribute('aria-pressed', String(!this.hidden.has(s.id)));
      b.dataset.series = s.id;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = COLORS[i % COLORS.length];
      b.append(swatch, `${s.label}${s.uom ? ` (${s.uom})` : ''}`);
      b.addEventListener('click', () => {
        if (this.hidden.has(s.id)) this.hidden.delete(s.id);
        else this.hidden.add(s.id);
        b.setAttribute('aria-pressed', String(!this.hidden.has(s.id)));
        this.draw();
      });
      return b;
    });
    this.legend.replaceChildren(...items);
  }

  private bindDrag(plot: HTMLElement): void {
    const x = (e: PointerEvent) => e.clientX - plot.getBoundingClientRect().left;
    plot.addEventListener('pointerdown', (e) => {
      this.dragStart = x(e);
      plot.setPointerCapture(e.pointerId);
    });
    plot.addEventListener('pointermove', (e) => {
      if (this.dragStart === undefined) return;
      const a = Math.min(this.dragStart, x(e));
      this.selection.hidden = false;
      this.selection.style.left = `${a}px`;
      this.selection.style.width = `${Math.abs(x(e) - this.dragStart)}px`;
    });
    plot.addEventListener('pointerup', (e) => {
      if (this.dragStart === undefined) return;
      const [a, b] = [this.dragStart, x(e)].sort((p, q) => p - q);
      this.dragStart = undefined;
      this.selection.hidden = true;
      if (b - a < 5) return;
      const w = this.plotWidth();
      const toTime = (px: number) => this.view[0] + ((px - MARGIN.left) / w) * (this.view[1] - this.view[0]);
      void this.zoomTo(Math.max(this.full[0], toTime(a)), Math.min(this.full[1], toTime(b)));
    });
  }

  /** Draws every visible series in its own panel. */
  draw(): void {
    const parent = this.canvas.parentElement;
    if (!parent) return;
    const visible = this.series.map((s, i) => ({ s, color: COLORS[i % COLORS.length] })).filter(({ s }) => !this.hidden.has(s.id));
    const cssW = parent.clientWidth || 600;
    const panelH = 120;
    const cssH = Math.max(1, visible.length) * panelH + MARGIN.bottom;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(cssW * dpr);
    this.canvas.height = Math.round(cssH * dpr);
    this.canvas.style.width = `${cssW}px`;
    this.canvas.style.height = `${cssH}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    ctx.font = '11px system-ui, sans-serif';
    const w = cssW - MARGIN.left - MARGIN.right;
    const [v0, v1] = this.view;
    const xOf = (tt: number) => MARGIN.left + ((tt - v0) / (v1 - v0)) * w;
    let drawnPoints = 0;
    let flaggedPoints = 0;
    let minTicks = Infinity;
    const drawn: string[] = [];
    visible.forEach(({ s, color }, k) => {
      const labelTop = k * panelH + MARGIN.top;
      const top = labelTop + 14;
      const h = panelH - MARGIN.top - 20;
      let lo = Infinity;
      let hi = -Infinity;
      for (const c of s.flagged ? [s, s.flagged] : [s]) {
        for (let i = 0; i < c.times.length; i++) {
          const v = c.values[i];
          if (c.times[i] < v0 || c.times[i] > v1 || Number.isNaN(v)) continue;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      ctx.strokeStyle = '#ccd5dd';
      ctx.strokeRect(MARGIN.left, top, w, h);
      ctx.fillStyle = '#333';
      ctx.textAlign = 'left';
      ctx.fillText(`${s.label}${s.uom ? ` (${s.uom})` : ''}`, MARGIN.left, labelTop + 10);
      if (lo === Infinity) return;
      if (hi === lo) {
        hi += 0.5;
        lo -= 0.5;
      }
      const pad = (hi - lo) * 0.05;
      lo -= pad;
      hi += pad;
      const yOf = (v: number) => top + h - ((v - lo) / (hi - lo)) * h;
      ctx.textAlign = 'right';
      // Ticks inside the panel, clear of its top edge where the label would be cut.
      const ticks = axisTicks(lo, hi - ((hi - lo) * 4) / h);
      minTicks = Math.min(minTicks, ticks.length);
      if (s.uom) {
        // The unit as the y axis title, along the axis.
        ctx.save();
        ctx.translate(12, top + h / 2);
        ctx.rotate(-Math.PI / 2);
        ctx.textAlign = 'center';
        ctx.fillStyle = '#333';
        ctx.fillText(s.uom, 0, 0);
        ctx.restore();
      }
      for (const tick of ticks) {
        const y = yOf(tick);
        ctx.fillStyle = '#555';
        ctx.fillText(String(+tick.toPrecision(6)), MARGIN.left - 4, y + 4);
        ctx.strokeStyle = '#eef1f4';
        ctx.beginPath();
        ctx.moveTo(MARGIN.left, y);
        ctx.lineTo(MARGIN.left + w, y);
        ctx.stroke();
      }
      ctx.save();
      ctx.beginPath();
      ctx.rect(MARGIN.left, top, w, h);
      ctx.clip();
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.25;
      ctx.beginPath();
      let pen = false;
      let count = 0;
      for (let i = 0; i < s.times.length; i++) {
        const v = s.values[i];
        if (Number.isNaN(v)) {
          pen = false;
          continue;
        }
        const px = xOf(s.times[i]);
        const py = yOf(v);
        if (pen) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
        pen = true;
        if (s.times[i] >= v0 && s.times[i] <= v1) count++;
      }
      ctx.stroke();
      // Flagged points: red rings, never joined to the good series.
      ctx.strokeStyle = '#c92a2a';
      ctx.lineWidth = 1.5;
      const f = s.flagged;
      for (let i = 0; f && i < f.times.length; i++) {
        if (Number.isNaN(f.values[i]) || f.times[i] < v0 || f.times[i] > v1) continue;
        ctx.beginPath();
        ctx.arc(xOf(f.times[i]), yOf(f.values[i]), 3.5, 0, 2 * Math.PI);
        ctx.stroke();
        flaggedPoints++;
      }
      ctx.restore();
      drawnPoints += count;
      if (count > 0) drawn.push(s.id);
    });
    const { ticks, label } = timeTicks(v0, v1, Math.max(2, Math.floor(w / 90)));
    ctx.fillStyle = '#555';
    ctx.textAlign = 'center';
    for (const tick of ticks) ctx.fillText(label(tick), xOf(tick), cssH - 8);
    this.canvas.dataset.points = String(drawnPoints);
    this.canvas.dataset.flagged = String(flaggedPoints);
    this.canvas.dataset.flaggedShown = String(this.showFlagged);
    // The fewest y tick labels of any panel (for tests: at least three).
    this.canvas.dataset.yTicks = minTicks === Infinity ? '0' : String(minTicks);
    this.canvas.dataset.drawn = drawn.join(',');
    this.canvas.setAttribute('aria-label', `${t('chart')}: ${visible.map(({ s }) => s.label).join(', ')}`);
  }
}
