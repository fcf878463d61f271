import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { boolean, float, integer, parseError, parseLineProtocol, parsePoint, string } from './helpers.ts';

describe('line structure', () => {
  test('parses measurement, tags, fields and timestamp with exact values, types and order', () => {
    const point = parsePoint(
      'cpu,host=host12,region=eu usage_user=12.5,usage_system=4.5,count=42i 1732500000000000000',
    );
    assert.deepEqual(point, {
      measurement: 'cpu',
      tags: [
        ['host', 'host12'],
        ['region', 'eu'],
      ],
      fields: [
        ['usage_user', float(12.5)],
        ['usage_system', float(4.5)],
        ['count', integer(42n)],
      ],
      timestampNs: 1732500000000000000n,
    });
  });

  test('keeps tags and fields in the order written, unsorted', () => {
    const point = parsePoint('m,z=1,a=2,m=3 zz=1,aa="x",mm=t');
    assert.deepEqual(
      point.tags.map(([key]) => key),
      ['z', 'a', 'm'],
    );
    assert.deepEqual(point.fields, [
      ['zz', float(1)],
      ['aa', string('x')],
      ['mm', boolean(true)],
    ]);
  });

  test('a line without tags or timestamp', () => {
    assert.deepEqual(parsePoint('weather temperature=82'), {
      measurement: 'weather',
      tags: [],
      fields: [['temperature', float(82)]],
      timestampNs: null,
    });
  });

  test('leading whitespace, several spaces between sections and trailing whitespace are allowed', () => {
    const expected = parsePoint('cpu,host=a v=1i 10');
    assert.deepEqual(parsePoint('   cpu,host=a v=1i 10'), expected);
    assert.deepEqual(parsePoint('\t cpu,host=a v=1i 10'), expected);
    assert.deepEqual(parsePoint('cpu,host=a    v=1i    10'), expected);
    assert.deepEqual(parsePoint('cpu,host=a v=1i 10   '), expected);
    assert.deepEqual(parsePoint('cpu,host=a v=1i 10 \t '), expected);
    assert.deepEqual(parsePoint('cpu,host=a v=1i  \t'), { ...expected, timestampNs: null });
  });

  test('splits on \\n and removes the \\r of CRLF line endings', () => {
    const result = parseLineProtocol('a v=1 1\r\nb v="x" 2\r\nc v=t\r\n', 'ns');
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.points.map((p) => [p.lineNumber, p.point.measurement, p.point.timestampNs]),
      [
        [1, 'a', 1n],
        [2, 'b', 2n],
        [3, 'c', null],
      ],
    );
    assert.deepEqual(result.points[1]!.point.fields, [['v', string('x')]]);
  });

  test('a \\r inside a line is an ordinary character; only the trailing one is removed', () => {
    const point = parsePoint('m\rx,t=a\rb v="c\rd"\r');
    assert.equal(point.measurement, 'm\rx');
    assert.deepEqual(point.tags, [['t', 'a\rb']]);
    assert.deepEqual(point.fields, [['v', string('c\rd')]]);
  });

  test('skips blank and comment lines but counts them in line numbers', () => {
    const body = ['# a comment', '', 'a v=1', '   ', '\t# indented comment', 'b v=2', '\r', 'c v=3', ''].join('\n');
    const result = parseLineProtocol(body, 'ns');
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.points.map((p) => [p.lineNumber, p.point.measurement]),
      [
        [3, 'a'],
        [6, 'b'],
        [8, 'c'],
      ],
    );
  });

  test('an empty body, or only newlines, has no points and no errors', () => {
    for (const body of ['', '\n', '\n\n\n', '\r\n', '  \n\t\n# only comments\n']) {
      assert.deepEqual(parseLineProtocol(body, 'ns'), { points: [], errors: [] });
    }
  });

  test('a # after the start of a line is not a comment', () => {
    assert.equal(parsePoint('#cpu v=1'.slice(1)).measurement, 'cpu');
    assert.deepEqual(parsePoint('m#1,t=#x v="#"').tags, [['t', '#x']]);
    assert.equal(parsePoint('m#1 v=1').measurement, 'm#1');
  });

  test('keeps good lines and reports bad ones with their line numbers and original text', () => {
    const body = [
      'cpu,host=a usage=1 100',
      'cpu,host=b usage 100',
      '# comment',
      'cpu,host=c usage=3i 300',
      'cpu,host=d usage=12.5i',
      '',
      'cpu,host=e usage="ok" 500\r',
      'cpu,host=f usage="open\r',
    ].join('\n');
    const result = parseLineProtocol(body, 'ns');
    assert.deepEqual(
      result.points.map((p) => [p.lineNumber, p.point.tags[0]![1]]),
      [
        [1, 'a'],
        [4, 'c'],
        [7, 'e'],
      ],
    );
    assert.deepEqual(result.errors, [
      { lineNumber: 2, originalLine: 'cpu,host=b usage 100', message: "missing field value for field 'usage'" },
      { lineNumber: 5, originalLine: 'cpu,host=d usage=12.5i', message: "invalid integer '12.5i' for field 'usage'" },
      { lineNumber: 8, originalLine: 'cpu,host=f usage="open', message: "unterminated string for field 'usage'" },
    ]);
  });

  test('clips the original line of an error to 1,000 characters', () => {
    const long = `cpu ${'x'.repeat(5000)}`;
    const [error] = parseLineProtocol(`${long}\r\n`, 'ns').errors;
    assert.equal(error!.originalLine, long.slice(0, 1000));
    const short = 'cpu v=1 2 3';
    assert.equal(parseLineProtocol(`${short}\r`, 'ns').errors[0]!.originalLine, short);
  });

  test('does not split a surrogate pair when clipping', () => {
    const line = `${'a'.repeat(999)}😀 v=`;
    const [error] = parseLineProtocol(line, 'ns').errors;
    assert.equal(error!.originalLine, 'a'.repeat(999));
  });

  test('reports every rejected line of a long body, once', () => {
    const lines = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `m,k=${i} v=${i}i ${i}` : `m,k=${i} v=bad`));
    const result = parseLineProtocol(lines.join('\n'), 's');
    assert.equal(result.points.length, 100);
    assert.equal(result.errors.length, 200);
    assert.deepEqual(
      result.points.map((p) => p.lineNumber),
      Array.from({ length: 100 }, (_, i) => i * 3 + 1),
    );
    assert.equal(result.points[5]!.point.timestampNs, 15_000_000_000n);
  });

  test('repeated names and timestamps across lines are parsed per line (caches stay correct)', () => {
    const body = [
      'cpu,host=a,region=eu v=1i,w=2i 1000',
      'cpu,host=ab,region=e v=1i,ww=2i 1000',
      'cpu,host=a,region=eu\\ x v=1i,w=2i 10000',
      'cpux,host=a,region=eu v=1i 1000',
      'cpu,host\\=a=b,region=eu w\\,x=3i -1000',
      'cpu,host=a,region=eu=x v=1i,w=2i 1000',
      'cpu,host=a,region=eu v=1i,w=2i 1000',
    ].join('\n');
    const result = parseLineProtocol(body, 'ns');
    assert.deepEqual(result.errors, []);
    const summary = result.points.map(({ point }) => [
      point.measurement,
      point.tags,
      point.fields.map(([key]) => key),
      point.timestampNs,
    ]);
    assert.deepEqual(summary, [
      [
        'cpu',
        [
          ['host', 'a'],
          ['region', 'eu'],
        ],
        ['v', 'w'],
        1000n,
      ],
      [
        'cpu',
        [
          ['host', 'ab'],
          ['region', 'e'],
        ],
        ['v', 'ww'],
        1000n,
      ],
      [
        'cpu',
        [
          ['host', 'a'],
          ['region', 'eu x'],
        ],
        ['v', 'w'],
        10000n,
      ],
      [
        'cpux',
        [
          ['host', 'a'],
          ['region', 'eu'],
        ],
        ['v'],
        1000n,
      ],
      [
        'cpu',
        [
          ['host=a', 'b'],
          ['region', 'eu'],
        ],
        ['w,x'],
        -1000n,
      ],
      [
        'cpu',
        [
          ['host', 'a'],
          ['region', 'eu=x'],
        ],
        ['v', 'w'],
        1000n,
      ],
      [
        'cpu',
        [
          ['host', 'a'],
          ['region', 'eu'],
        ],
        ['v', 'w'],
        1000n,
      ],
    ]);
  });

  test('many tags and fields (beyond the linear duplicate scan) keep order and detect duplicates', () => {
    const tags = Array.from({ length: 40 }, (_, i) => `t${i}=v${i}`).join(',');
    const fields = Array.from({ length: 40 }, (_, i) => `f${i}=${i}i`).join(',');
    const point = parsePoint(`m,${tags} ${fields} 1`);
    assert.equal(point.tags.length, 40);
    assert.equal(point.fields.length, 40);
    assert.deepEqual(point.tags[39], ['t39', 'v39']);
    assert.deepEqual(point.fields[39], ['f39', integer(39n)]);
    assert.equal(parseError(`m,${tags},t17=x ${fields}`), "duplicate tag key 't17'");
    assert.equal(parseError(`m,${tags} ${fields},f33=1`), "duplicate field key 'f33'");
    assert.equal(parseError(`m,${tags} ${fields},t21=1`), "key 't21' is used as both a tag and a field");
  });
});
