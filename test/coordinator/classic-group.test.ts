import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClassicGroup } from '../../src/coordinator/classic-group.ts';
import { GroupMember } from '../../src/coordinator/group-member.ts';
import { isValidTransition, parseGroupState } from '../../src/coordinator/group-state.ts';
import { consumerProtocols } from './harness.ts';

function member(id: string, protocols: string[], instance: string | null = null): GroupMember {
  return new GroupMember({
    memberId: id,
    groupInstanceId: instance,
    clientId: 'c',
    clientHost: '/h',
    rebalanceTimeoutMs: 1000 * id.length,
    sessionTimeoutMs: 6000,
    protocolType: 'consumer',
    protocols: consumerProtocols(['t'], protocols),
  });
}

describe('ClassicGroup', () => {
  it('the first member fixes the protocol type and leads; a new leader follows a departure', () => {
    const g = new ClassicGroup('g', 'Empty', 0);
    g.add(member('a', ['range']), null);
    g.add(member('bb', ['range']), () => {});
    assert.equal(g.protocolType, 'consumer');
    assert.equal(g.leaderId, 'a');
    assert.equal(g.numAwaiting, 1);
    assert.equal(g.rebalanceTimeoutMs, 2000, 'the largest of the members');
    g.remove('a');
    assert.equal(g.leaderId, 'bb');
    g.remove('bb');
    assert.equal(g.leaderId, null);
    assert.equal(g.numAwaiting, 0);
  });

  it('votes: candidates are the protocols every member has; each member votes its favourite', () => {
    const g = new ClassicGroup('g', 'Empty', 0);
    g.add(member('a', ['sticky', 'roundrobin', 'range']), null);
    g.add(member('b', ['roundrobin', 'range']), null);
    g.add(member('c', ['range', 'roundrobin']), null);
    assert.equal(g.selectProtocol(), 'roundrobin');
    g.transitionTo('PreparingRebalance', 0);
    assert.equal(g.supportsProtocols('consumer', consumerProtocols(['t'], ['sticky'])), false);
    assert.equal(g.supportsProtocols('consumer', consumerProtocols(['t'], ['range'])), true);
    assert.equal(g.supportsProtocols('connect', consumerProtocols(['t'], ['range'])), false);
  });

  it('a static member replaced under a new id keeps its place, leadership and pending sync', () => {
    const g = new ClassicGroup('g', 'Empty', 0);
    g.add(member('a', ['range'], 'inst'), null);
    g.addPendingSyncMember('a');
    const m = g.replaceStaticMember('inst', 'a', 'a2');
    assert.equal(m.memberId, 'a2');
    assert.equal(g.leaderId, 'a2');
    assert.equal(g.currentStaticMemberId('inst'), 'a2');
    assert.deepEqual(g.pendingSyncMembers(), ['a2']);
    assert.equal(g.has('a'), false);
  });

  it('reads the subscribed topics of a consumer group from the members’ metadata', () => {
    const g = new ClassicGroup('g', 'Empty', 0);
    const a = member('a', ['range']);
    a.supportedProtocols = consumerProtocols(['x', 'y'], ['range']);
    g.add(a, null);
    g.add(member('b', ['range']), null);
    g.transitionTo('PreparingRebalance', 0);
    g.initNextGeneration(5);
    assert.equal(g.state, 'CompletingRebalance');
    assert.deepEqual([...g.subscribedTopics!].sort(), ['t', 'x', 'y']);
    assert.equal(g.isSubscribedToTopic('z'), false);
    g.get('b').supportedProtocols = [{ name: 'range', metadata: Buffer.from([0xff]) }];
    assert.equal(g.computeSubscribedTopics(), null, 'undecodable metadata: not known');
  });

  it('knows its transitions and state names', () => {
    assert.equal(isValidTransition('Empty', 'PreparingRebalance'), true);
    assert.equal(isValidTransition('Empty', 'Stable'), false);
    assert.equal(isValidTransition('Stable', 'CompletingRebalance'), false);
    assert.equal(isValidTransition('Dead', 'Dead'), true);
    assert.equal(parseGroupState(' stable '), 'Stable');
    assert.equal(parseGroupState('preparingrebalance'), 'PreparingRebalance');
    assert.equal(parseGroupState('nope'), null);
    const g = new ClassicGroup('g', 'Empty', 0);
    assert.throws(() => g.transitionTo('Stable', 0), /invalid transition Empty → Stable/);
  });
});
