import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOverride, parseProperties, parsePropertyEntries } from '../../../src/broker/config/properties-format.ts';
import { ConfigError } from '../../../src/common/config-def.ts';

const obj = (text: string): Record<string, string> => Object.fromEntries(parseProperties(text));

test('separators: =, :, blanks, and blanks around them', () => {
  assert.deepEqual(obj('a=1\nb:2\nc 3\nd = 4\ne\t:\t5\nf   6\ng =\nh\n'), {
    a: '1',
    b: '2',
    c: '3',
    d: '4',
    e: '5',
    f: '6',
    g: '',
    h: '',
  });
  // Only one separator is skipped after blanks; a second one belongs to the value.
  assert.deepEqual(obj('k = = v\nm==n\np : =q'), { k: '= v', m: '=n', p: '=q' });
});

test('comments (# and !), blank lines and leading blanks', () => {
  const text = '# comment\n   ! another\n\n \t\f\n  key=value\n#host.name=localhost\nx=1 # not a comment\n';
  assert.deepEqual(obj(text), { key: 'value', x: '1 # not a comment' });
});

test('values keep trailing blanks and inner spaces; keys keep case', () => {
  assert.deepEqual(obj('Key.Name = a b  \n'), { 'Key.Name': 'a b  ' });
});

test('line continuation with a trailing backslash', () => {
  assert.deepEqual(obj('list=a,\\\n    b,\\\n\tc\nnext=1'), { list: 'a,b,c', next: '1' });
  // An even number of backslashes is an escaped backslash, not a continuation.
  assert.deepEqual(obj('path=C:\\\\\nnext=1'), { path: 'C:\\', next: '1' });
  // A comment line never continues; a continued line that looks like a comment is content.
  assert.deepEqual(obj('# comment \\\nreal=1'), { real: '1' });
  assert.deepEqual(obj('a=x\\\n# y'), { a: 'x# y' });
  // A backslash at the very end is dropped.
  assert.deepEqual(obj('a=x\\'), { a: 'x' });
  // The continuation keeps the key's line number.
  assert.deepEqual(
    parsePropertyEntries('\nk=1\\\n  2\nz=3').map((e) => [e.key, e.value, e.line]),
    [
      ['k', '12', 2],
      ['z', '3', 4],
    ],
  );
});

test('escapes in keys and values', () => {
  assert.deepEqual(obj('a\\=b=c\\:d'), { 'a=b': 'c:d' });
  assert.deepEqual(obj('sp\\ ace=v'), { 'sp ace': 'v' });
  assert.deepEqual(obj('t=1\\t2\\n3\\r4\\f5'), { t: '1\t2\n3\r4\f5' });
  assert.deepEqual(obj('u=caf\\u00e9 \\u0041'), { u: 'café A' });
  assert.deepEqual(obj('other=\\q\\#'), { other: 'q#' });
  assert.throws(
    () => parseProperties('ok=1\nbad=\\u12G4'),
    (e: unknown) => e instanceof ConfigError && e.code === 'BAD_FORMAT' && /line 2: malformed \\uxxxx/.test(e.message),
  );
});

test('CRLF and CR line endings; the last duplicate wins', () => {
  assert.deepEqual(obj('a=1\r\nb=2\rc=3\r\na=4'), { a: '4', b: '2', c: '3' });
  assert.deepEqual([...parseProperties('a=1\nb=2\na=3').keys()], ['b', 'a']);
  assert.equal(parsePropertyEntries('a=1\na=2').length, 2);
});

test('empty text has no properties', () => {
  assert.equal(parseProperties('').size, 0);
  assert.equal(parseProperties('\n\n# only comments\n').size, 0);
});

test('--override key=value splits at the first =', () => {
  assert.deepEqual(parseOverride('log.dirs=/a,/b'), ['log.dirs', '/a,/b']);
  assert.deepEqual(parseOverride('zookeeper.connect=h:1/chroot=x'), ['zookeeper.connect', 'h:1/chroot=x']);
  assert.deepEqual(parseOverride('broker.rack='), ['broker.rack', '']);
  for (const bad of ['noequals', '=value', ' =x']) {
    assert.throws(
      () => parseOverride(bad),
      (e: unknown) => e instanceof ConfigError && e.message === `Invalid override '${bad}': expected key=value`,
    );
  }
});
