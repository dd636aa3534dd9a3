import type { Generator } from "./generator.js";
import { padded, recentIso } from "./generator.js";

const KINDS = [
  ["image", 6],
  ["video", 2],
  ["audio", 1],
  ["document", 2],
  ["vector", 1],
] as const;

const FORMATS: Record<(typeof KINDS)[number][0], ReadonlyArray<readonly [string, string]>> = {
  image: [
    ["png", "image/png"],
    ["jpg", "image/jpeg"],
    ["webp", "image/webp"],
  ],
  video: [
    ["mp4", "video/mp4"],
    ["webm", "video/webm"],
  ],
  audio: [
    ["wav", "audio/wav"],
    ["mp3", "audio/mpeg"],
  ],
  document: [["pdf", "application/pdf"]],
  vector: [["svg", "image/svg+xml"]],
};

/** Common frame sizes, so dimensions look like what cameras and exports produce. */
const SIZES = [
  [1920, 1080],
  [3840, 2160],
  [1280, 720],
  [1080, 1080],
  [1080, 1920],
  [4032, 3024],
  [2048, 1536],
  [800, 600],
] as const;

const TAGS = [
  "campaign",
  "draft",
  "final",
  "brand",
  "social",
  "thumbnail",
  "portrait",
  "landscape",
  "product",
  "event",
  "tutorial",
  "background",
  "logo",
  "archive",
] as const;
const SUBJECTS = ["sunset", "team-photo", "hero-banner", "intro", "podcast-ep", "brochure", "icon-set", "storyboard"] as const;
const PROJECTS = ["spring-launch", "course-trailers", "annual-report", "brand-refresh"] as const;

/** An asset upload. Sizes follow the kind: a 1080p image of 0.3–8 MB, a video of about 1–12 MB per minute of footage. */
export const creativeGenerator: Generator = (rng, { now }) => {
  const kind = rng.weighted(KINDS);
  const [ext, mime] = rng.pick(FORMATS[kind]);
  const name = `${rng.pick(SUBJECTS)}-${padded(rng.int(1, 99), 2)}.${ext}`;
  const base = {
    asset_id: `asset_${rng.id(12)}`,
    kind,
    file_name: name,
    mime_type: mime,
    project: rng.pick(PROJECTS),
    uploader_id: `user-${padded(rng.int(1, 25), 3)}`,
    tags: rng.sample(TAGS, rng.int(1, 4)),
    uploaded_at: recentIso(rng, now, 120),
  };
  switch (kind) {
    case "image": {
      const [width, height] = rng.pick(SIZES);
      return { ...base, size_bytes: rng.int(300_000, 8_000_000), dimensions: { width, height } };
    }
    case "vector": {
      const side = rng.pick([256, 512, 1024] as const);
      return { ...base, size_bytes: rng.int(2_000, 400_000), dimensions: { width: side, height: side } };
    }
    case "video": {
      const [width, height] = rng.pick(SIZES.slice(0, 5));
      const duration = rng.int(10, 900);
      return {
        ...base,
        size_bytes: Math.round((duration / 60) * rng.int(1_000_000, 12_000_000)),
        dimensions: { width, height },
        duration_seconds: duration,
      };
    }
    case "audio": {
      const duration = rng.int(20, 3600);
      // 128 kbit/s MP3 is 16 kB per second; WAV at 44.1 kHz, 16-bit stereo is 176 kB per second.
      return { ...base, size_bytes: duration * (ext === "wav" ? 176_400 : 16_000), duration_seconds: duration };
    }
    case "document":
      return { ...base, size_bytes: rng.int(40_000, 12_000_000), pages: rng.int(1, 120) };
  }
};
