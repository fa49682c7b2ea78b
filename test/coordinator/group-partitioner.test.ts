import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupPartition, javaStringHashCode, kafkaAbs } from '../../src/coordinator/group-partitioner.ts';

describe('group partitioner', () => {
  it("computes Java's String.hashCode, including overflow and collisions", () => {
    // Vectors printed by OpenJDK 17 (String.hashCode and Kafka's Utils.abs % n), including the
    // classic collision "Aa" / "BB" (both 2112).
    assert.equal(javaStringHashCode(''), 0);
    assert.equal(javaStringHashCode('a'), 97);
    assert.equal(javaStringHashCode('abc'), 96354);
    assert.equal(javaStringHashCode('hello'), 99162322);
    assert.equal(javaStringHashCode('Aa'), 2112);
    assert.equal(javaStringHashCode('BB'), 2112);
    // Overflows past 2^31 wrap to negative numbers, as Java's int arithmetic does.
    assert.equal(javaStringHashCode('Hello World'), -862545276);
    assert.equal(javaStringHashCode('console-consumer-12345'), 158455506);
    assert.equal(javaStringHashCode('group-1'), 293427299);
  });

  it('hashes UTF-16 code units: non-ASCII and surrogate pairs as Java does', () => {
    assert.equal(javaStringHashCode('é'), 233); // U+00E9, one code unit
    assert.equal(javaStringHashCode('日本'), 835047);
    assert.equal(javaStringHashCode('über'), 7604755);
    // U+1F600 is the surrogate pair D83D DE00 in UTF-16: 0xD83D * 31 + 0xDE00.
    assert.equal(javaStringHashCode('😀'), 1772899);
  });

  it("uses Kafka's Utils.abs: Integer.MIN_VALUE maps to 0", () => {
    // "polygenelubricants".hashCode() is famously Integer.MIN_VALUE.
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
    assert.equal(kafkaAbs(-2147483648), 0);
    assert.equal(kafkaAbs(-5), 5);
    assert.equal(groupPartition('polygenelubricants', 50), 0);
  });

  it('maps a group to abs(hashCode) % partitions', () => {
    assert.equal(groupPartition('hello', 50), 99162322 % 50);
    assert.equal(groupPartition('Hello World', 50), 862545276 % 50);
    // [group, partition of 50, partition of 7] from the JVM.
    const vectors: [string, number, number][] = [
      ['a', 47, 6],
      ['hello', 22, 0],
      ['Hello World', 26, 5],
      ['console-consumer-12345', 6, 6],
      ['日本', 47, 3],
      ['😀', 49, 2],
      ['group-1', 49, 4],
      ['über', 5, 4],
    ];
    for (const [g, of50, of7] of vectors) {
      assert.equal(groupPartition(g, 50), of50, g);
      assert.equal(groupPartition(g, 7), of7, g);
    }
  });
});
