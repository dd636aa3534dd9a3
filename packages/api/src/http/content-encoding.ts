import { promisify } from "node:util";
import { brotliDecompress, gunzip, inflate, type ZlibOptions } from "node:zlib";
import { AppError } from "./problem.js";

const decoders = {
  gzip: promisify<Buffer, ZlibOptions, Buffer>(gunzip),
  deflate: promisify<Buffer, ZlibOptions, Buffer>(inflate),
  br: promisify<Buffer, ZlibOptions, Buffer>(brotliDecompress),
} as const;
export type BodyEncoding = keyof typeof decoders | "identity";

/**
 * The body's Content-Encoding: identity, gzip (x-gzip), deflate or br, one of them. Anything else,
 * including stacked encodings ("gzip, gzip"), is refused with 415.
 */
export function bodyEncoding(header: string | undefined): BodyEncoding {
  const value = (header ?? "identity").trim().toLowerCase();
  if (value === "identity" || value === "") return "identity";
  if (value === "gzip" || value === "x-gzip") return "gzip";
  if (value === "deflate" || value === "br") return value;
  throw new AppError("unsupported_media_type", `Content-Encoding ${JSON.stringify(value.slice(0, 40))} is not accepted`, [
    { field: "header.content-encoding", message: "must be one of identity, gzip, deflate, br" },
  ]);
}

/**
 * Decompress a body, with the body limit applied to the decompressed size: zlib stops at
 * maxOutputLength, so a small "zip bomb" never expands past the limit in memory. The compressed
 * bytes were already held to the same limit while reading.
 */
export async function decodeBody(raw: Buffer, encoding: BodyEncoding, limit: number): Promise<Buffer> {
  if (encoding === "identity") return raw;
  try {
    return await decoders[encoding](raw, { maxOutputLength: limit });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
      throw new AppError("payload_too_large", `Request body exceeds the limit of ${limit} bytes once decompressed`, [
        { field: "body", message: `must be at most ${limit} bytes decompressed` },
      ]);
    }
    throw new AppError("malformed_request", `Request body is not valid ${encoding} data`, [
      { field: "header.content-encoding", message: `the body does not decode as ${encoding}` },
    ]);
  }
}
