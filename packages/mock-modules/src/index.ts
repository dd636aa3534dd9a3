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
export { type EmitterOptions, type EmitterResult, formatSummary, runEmitter } from "./emitter/emitter.js";
export { DEFAULT_MODULES, type Generator, type GeneratorContext, generatorFor, UpdateFeed } from "./generators/index.js";
export { createRandom, mulberry32, type Random } from "./random.js";
