import type { IngestRequest } from "@bridge/shared";
import { createRandom, deriveSeed, type Random } from "../random.js";
import { creativeGenerator } from "./creative-generator.js";
import { educationGenerator } from "./education-generator.js";
import { financeGenerator } from "./finance-generator.js";
import type { Generator } from "./generator.js";
import { genericGenerator } from "./generic-generator.js";

export type { Generator, GeneratorContext } from "./generator.js";
export { creativeGenerator, educationGenerator, financeGenerator, genericGenerator };

/** The seed's three modules. Any other name gets the generic generator. */
export const DEFAULT_MODULES = ["education", "finance", "creative"] as const;

const GENERATORS: Readonly<Record<string, Generator>> = {
  education: educationGenerator,
  finance: financeGenerator,
  creative: creativeGenerator,
};

export function generatorFor(module: string): Generator {
  return Object.hasOwn(GENERATORS, module) ? (GENERATORS[module] as Generator) : genericGenerator;
}

/** Updates for a set of modules from one seed: each module draws from its own stream
 * (seed mixed with the module's name), so one module's data does not depend on which others run. */
export class UpdateFeed {
  private readonly streams = new Map<string, { rng: Random; sequence: number; generate: Generator }>();

  constructor(
    readonly seed: number,
    readonly sessionId: string,
  ) {}

  next(module: string, now: Date): IngestRequest {
    let stream = this.streams.get(module);
    if (!stream) {
      stream = { rng: createRandom(deriveSeed(this.seed, module)), sequence: 0, generate: generatorFor(module) };
      this.streams.set(module, stream);
    }
    stream.sequence += 1;
    return { module, data: stream.generate(stream.rng, { now, sequence: stream.sequence }), session_id: this.sessionId };
  }
}
