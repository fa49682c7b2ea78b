import { after } from 'node:test';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { closeBrokers, scenario } from './harness.ts';

after(closeBrokers);

for (const version of [0, 1, 2, 3]) {
  scenario(`ApiVersions v${version}`, async (s) => {
    await s.request(ApiKey.ApiVersions, version, {
      clientSoftwareName: 'samsa-differential',
      clientSoftwareVersion: '1.0',
    });
  });
}

scenario('Metadata v12 for an unknown topic without auto-creation', async (s) => {
  await s.request(ApiKey.Metadata, 12, {
    topics: [{ name: 'diff-unknown-topic', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
});
