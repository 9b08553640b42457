import { createTestApp, TestApp } from '../helpers/app';
import { expectValidXml } from '../helpers/xmllint';
import { parseXml } from '../../src/http/xml';
import { checkXmlShape, DEFAULT_XML_SHAPE } from '../../src/http/xmlScan';

/**
 * Parsing cost is bounded by shape, not only by bytes: element count, attribute count (in all and per
 * element) and depth are refused by a linear pre-scan before the parser builds a tree, the report names
 * the limit, and a malformed body's report never echoes the parser's whole tag stack.
 * (Timings live in bench/xml.mjs and docs/benchmarks.md; tests never assert on wall-clock time.)
 */
const MiB = 1024 * 1024;
const GF = (inner: string) => `<wfs:GetFeature service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0">${inner}</wfs:GetFeature>`;

describe('checkXmlShape', () => {
  const shapeError = (xml: string) => {
    try {
      checkXmlShape(xml);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('counts elements, not text, comments, CDATA or processing instructions', () => {
    const inner = '<a/>'.repeat(DEFAULT_XML_SHAPE.maxElements - 1);
    expect(shapeError(GF(inner))).toBeUndefined();
    expect(shapeError(GF(inner + '<a/>'))).toMatch(new RegExp(`more than ${DEFAULT_XML_SHAPE.maxElements} elements \\(limit ${DEFAULT_XML_SHAPE.maxElements}\\)`));
    const hidden = '<!-- <a/><a/> --><![CDATA[<a/><a/>]]><?pi <a/> ?>'.repeat(2000);
    expect(shapeError(GF('<a/>'.repeat(100) + hidden))).toBeUndefined();
  });

  it('counts attributes per element and in all, quoted ">" included', () => {
    const attrs = (k: number) => Array.from({ length: k }, (_, i) => `a${i}="x>y"`).join(' ');
    const { maxAttributes: all, maxAttributesPerElement: one } = DEFAULT_XML_SHAPE;
    expect(shapeError(GF(`<e ${attrs(one)}/>`))).toBeUndefined();
    expect(shapeError(GF(`<e ${attrs(one + 1)}/>`))).toMatch(new RegExp(`more than ${one} attributes \\(limit ${one}\\)`));
    // The root carries three (service, version, xmlns:wfs).
    expect(shapeError(GF(`<e ${attrs(50)}/>`.repeat((all - 3) / 50 - 1)))).toBeUndefined();
    expect(shapeError(GF(`<e ${attrs(50)}/>`.repeat(all / 50)))).toMatch(new RegExp(`more than ${all} attributes \\(limit ${all}\\)`));
  });

  it('tracks depth through closing and self-closing tags', () => {
    expect(shapeError('<a>'.repeat(64) + '</a>'.repeat(64))).toBeUndefined();
    expect(shapeError(('<a><b/>' + '<c></c>').repeat(63) + '</a>'.repeat(63))).toBeUndefined(); // <c> at level 64
    expect(shapeError(('<a><b/>' + '<c></c>').repeat(64) + '</a>'.repeat(64))).toMatch(/deeper than 64/); // <c> at level 65
    expect(shapeError('<a>'.repeat(65))).toMatch(/nesting deeper than 64 levels/);
  });

  it('refuses element names longer than the limit', () => {
    expect(shapeError(`<${'n'.repeat(DEFAULT_XML_SHAPE.maxNameLength)}/>`)).toBeUndefined();
    expect(shapeError(`<${'n'.repeat(DEFAULT_XML_SHAPE.maxNameLength + 1)}/>`)).toMatch(/element name longer than/);
  });

  it('a request at the limits still parses into the same tree', () => {
    const el = parseXml(GF(`<wfs:Query typeNames="reef:Station" xmlns:reef="urn:reef">${'<x a="1"/>'.repeat(DEFAULT_XML_SHAPE.maxElements - 2)}</wfs:Query>`));
    expect(el.children[0].children).toHaveLength(DEFAULT_XML_SHAPE.maxElements - 2);
  });
});

describe('hostile bodies over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (body: string) => t.http.post('/wfs').set('Content-Type', 'application/xml').send(body);
  async function refused(body: string, limit: RegExp): Promise<string> {
    expect(body.length).toBeLessThanOrEqual(MiB + 1024);
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.text).toContain('exceptionCode="OperationParsingFailed"');
    expect(r.text).toMatch(limit);
    expectValidXml(r.text, 'ows11');
    return r.text;
  }

  it('260k empty elements in 1 MiB: refused naming the element limit', async () => {
    await refused(GF('<a/>'.repeat(260_000)), new RegExp(`more than ${DEFAULT_XML_SHAPE.maxElements} elements`));
  });

  it('60k attributes on one element: refused naming the per-element limit', async () => {
    await refused(GF(`<a ${Array.from({ length: 60_000 }, (_, i) => `b${i}="${i}"`).join(' ')}/>`), new RegExp(`more than ${DEFAULT_XML_SHAPE.maxAttributesPerElement} attributes`));
  });

  it('45k small elements with three attributes each: refused naming the attribute limit', async () => {
    await refused(GF('<a b="1" c="1" d="1"/>'.repeat(45_000)), new RegExp(`more than ${DEFAULT_XML_SHAPE.maxAttributes} attributes`));
  });

  it('60 unclosed tags with 16 KiB names: refused naming the name-length limit', async () => {
    await refused(Array.from({ length: 60 }, (_, i) => `<${'n'.repeat(16 * 1024)}${i}>`).join(''), /element name longer than/);
  });

  it('a malformed body does not echo the tag stack: the report stays small', async () => {
    // 60 unclosed tags with 250-character names: under every shape limit, and the validator lists them all.
    const body = Array.from({ length: 60 }, (_, i) => `<${'n'.repeat(250)}${i}>`).join('');
    const text = await refused(body, /Malformed XML/);
    expect(text.length).toBeLessThan(2048);
  });
});

describe('parseXml and long text runs (set aside before parsing)', () => {
  // Long enough to be set aside (src/http/xml.ts LONG_TEXT); what the parser would give must come back.
  const long = '2024-01-01T00:00:00Z,1.5,1@@'.repeat(400);
  const R = (inner: string) => `<r xmlns="urn:x" xmlns:p="urn:p">${inner}</r>`;
  const texts = (xml: string) => parseXml(xml).children.map((c) => c.text);

  it('returns the text of every element as it was sent, line ends normalised, whatever surrounds it', () => {
    expect(texts(R(`<v>${long}</v><w>x</w>`))).toEqual([long.trim(), 'x']);
    expect(texts(R(`<v>${long}\r\n${long}\r${long}</v>`))).toEqual([`${long}\n${long}\n${long}`]);
    expect(texts(R(`<v>  ${long}  </v><p:v>${long}</p:v>`))).toEqual([long, long]);
    // Runs with markup characters stay the parser's: entities decoded, quotes and ">" kept.
    expect(texts(R(`<v>${long}&amp;${long}</v>`))).toEqual([`${long}&${long}`]);
    expect(texts(R(`<v>${long}"q"> ${long}</v>`))).toEqual([`${long}"q"> ${long}`]);
    // In CDATA the run comes back; in a comment it goes with the comment; a ">" in an attribute is no tag end.
    expect(texts(R(`<v><![CDATA[<x>${long}<y>]]></v>`))).toEqual([`<x>${long}<y>`]);
    expect(texts(R(`<!-- >${long}< --><v>k</v>`))).toEqual(['k']);
    const el = parseXml(R(`<v a="q>">${long}</v>`)).children[0];
    expect([el.attrs.a, el.text]).toEqual(['q>', long]);
  });

  it('still refuses malformed documents holding long runs', () => {
    for (const bad of [R(`<v>${long}</w>`), `<r xmlns="urn:x"><v>${long}</v>`, R(`<v>${long}</v><v>${long}`)]) {
      expect(() => parseXml(bad)).toThrow(/Malformed XML|Unclosed|closing tag/);
    }
  });
});
