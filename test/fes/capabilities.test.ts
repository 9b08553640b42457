import { create } from 'xmlbuilder2';
import { parseXml } from '../../src/http/xml';
import { OwsError } from '../../src/ows/errors';
import { FES20_CONFORMANCE, FES20_OPERATORS, FILTER100_OPERATORS, writeFes20FilterCapabilities, writeFilter100Capabilities, writeFilter110Capabilities } from '../../src/fes/capabilities';
import { compileFilter } from '../../src/fes/compile';
import { parseFilterXml } from '../../src/fes/parseFes20';
import { SqlParams } from '../../src/query/sqlParams';
import { expectValidXml } from '../helpers/xmllint';
import { STATION } from './stationType';

const NS = 'xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"';
const ENV = '<gml:Envelope srsName="EPSG:4326"><gml:lowerCorner>160 -25</gml:lowerCorner><gml:upperCorner>170 -15</gml:upperCorner></gml:Envelope>';
const INSTANT = '<gml:TimeInstant gml:id="t"><gml:timePosition>2024-01-01T00:00:00Z</gml:timePosition></gml:TimeInstant>';
const PERIOD = '<gml:TimePeriod gml:id="p"><gml:beginPosition>2024-01-01T00:00:00Z</gml:beginPosition><gml:endPosition>2024-02-01T00:00:00Z</gml:endPosition></gml:TimePeriod>';

/** A minimal filter using one operator, to prove that what capabilities advertise really parses and compiles. */
function sample(op: string): string {
  if (op === 'PropertyIsLike') return `<fes:${op} wildCard="*" singleChar="?" escapeChar="\\"><fes:ValueReference>name</fes:ValueReference><fes:Literal>N*</fes:Literal></fes:${op}>`;
  if (op === 'PropertyIsNull' || op === 'PropertyIsNil') return `<fes:${op}><fes:ValueReference>depth</fes:ValueReference></fes:${op}>`;
  if (op === 'PropertyIsBetween') return `<fes:${op}><fes:ValueReference>depth</fes:ValueReference><fes:LowerBoundary><fes:Literal>1</fes:Literal></fes:LowerBoundary><fes:UpperBoundary><fes:Literal>2</fes:Literal></fes:UpperBoundary></fes:${op}>`;
  if (op.startsWith('PropertyIs')) return `<fes:${op}><fes:ValueReference>depth</fes:ValueReference><fes:Literal>1</fes:Literal></fes:${op}>`;
  if ((FES20_OPERATORS.spatial as readonly string[]).includes(op)) return `<fes:${op}><fes:ValueReference>geom</fes:ValueReference>${ENV}${op === 'DWithin' || op === 'Beyond' ? '<fes:Distance uom="m">10</fes:Distance>' : ''}</fes:${op}>`;
  return `<fes:${op}><fes:ValueReference>firstObservation</fes:ValueReference>${op === 'During' ? PERIOD : INSTANT}</fes:${op}>`;
}
const compileXml = (body: string) => compileFilter(parseFilterXml(parseXml(`<fes:Filter ${NS}>${body}</fes:Filter>`)), STATION, new SqlParams());

describe('Filter_Capabilities', () => {
  it('FES 2.0 document is valid against filterAll.xsd and lists every conformance class with a value', () => {
    const doc = create({ version: '1.0', encoding: 'UTF-8' });
    writeFes20FilterCapabilities(doc);
    const xml = doc.end({ prettyPrint: true });
    expectValidXml(xml, 'fes20');
    for (const c of FES20_CONFORMANCE) expect(xml).toContain(`<fes:Constraint name="${c.name}">`);
    expect(xml).toMatch(/name="ImplementsFunctions">\s*<ows:NoValues\/>\s*<ows:DefaultValue>FALSE</);
    expect(xml).toMatch(/name="ImplementsSpatialFilter">\s*<ows:NoValues\/>\s*<ows:DefaultValue>TRUE</);
    expect(xml).toContain('<fes:TemporalOperator name="During"/>');
    expect(xml).toContain('<fes:ResourceIdentifier name="fes:ResourceId"/>');
  });
  it('can be written inside a parent element (as the WFS capabilities do)', () => {
    const doc = create({ version: '1.0' }).ele('http://www.opengis.net/wfs/2.0', 'wfs:X');
    writeFes20FilterCapabilities(doc);
    expect(doc.end()).toContain('<fes:Filter_Capabilities xmlns:fes="http://www.opengis.net/fes/2.0"');
  });
  it('Filter 1.1.0 document is valid against the Filter 1.1 schema', () => {
    const doc = create({ version: '1.0', encoding: 'UTF-8' });
    writeFilter110Capabilities(doc);
    expectValidXml(doc.end(), 'filter110');
  });
  it('Filter 1.0.0 document has one element per operator', () => {
    const doc = create({ version: '1.0' });
    writeFilter100Capabilities(doc);
    const xml = doc.end();
    for (const o of FILTER100_OPERATORS.spatial) expect(xml).toContain(`<ogc:${o}/>`);
    expect(xml).toContain('<ogc:Comparison_Operators><ogc:Simple_Comparisons/><ogc:Like/><ogc:Between/><ogc:NullCheck/></ogc:Comparison_Operators>');
  });
  it.each([...FES20_OPERATORS.comparison, ...FES20_OPERATORS.spatial, ...FES20_OPERATORS.temporal])('advertised operator %s parses and compiles', (op) => {
    expect(compileXml(sample(op)).length).toBeGreaterThan(0);
  });
  it.each(['And', 'Or'])('advertised logical operator %s parses and compiles', (op) => {
    expect(compileXml(`<fes:${op}>${sample('PropertyIsNull')}${sample('PropertyIsEqualTo')}</fes:${op}>`)).toContain(op.toUpperCase());
  });
  it.each(['TContains', 'TOverlaps', 'Begins', 'Ends', 'Meets', 'AnyInteracts'])('unadvertised temporal operator %s is refused', (op) => {
    expect(() => compileXml(sample(op))).toThrow(OwsError);
  });
});
