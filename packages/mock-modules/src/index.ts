export { verifyWebhookSignature } from "./bucket/bucket-signature.js";
export {
  type MockBucket,
  MockBucketCount,
  type MockBucketFaults,
  type MockBucketOptions,
  ReceivedEvent,
  type RequestRecord,
  startMockBucket,
} from "./bucket/bucket-server.js";
