import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";

import Transport from "winston-transport";

/** Where winston keeps the formatted line (triple-beam's MESSAGE symbol). */
const MESSAGE = Symbol.for("message");

export interface RotatingFileOptions {
  filename: string;
  /** Rotate when the file would grow past this many bytes. */
  maxSize: number;
  /** Files kept in all, the live one included: core_sync.log, core_sync1.log … core_sync{maxFiles-1}.log. */
  maxFiles: number;
}

/**
 * A winston transport that appends each formatted line with one synchronous write and rotates by
 * size. winston's own File transport drops lines that arrive while it swaps streams during a
 * rotation (winston issue #1655; reproduced here: 60 lines written in one burst across a 2 KiB
 * cap left both files empty). A log that loses lines under load is worse than a slower one: a
 * write here costs one syscall (a few µs) and the line is in the OS page cache before the request
 * that produced it is answered. Naming follows winston's `tailable` scheme, so the live file
 * keeps its name (logs/core_sync.log) and operators' tooling does not change.
 */
export class RotatingFileTransport extends Transport {
  private fd: number;
  private size: number;
  private readonly opts: RotatingFileOptions;

  constructor(opts: RotatingFileOptions & Transport.TransportStreamOptions) {
    super(opts);
    this.opts = opts;
    mkdirSync(dirname(opts.filename), { recursive: true });
    this.fd = openSync(opts.filename, "a");
    this.size = fstatSync(this.fd).size;
  }

  private rotatedName(i: number): string {
    const { filename } = this.opts;
    const ext = extname(filename);
    return join(dirname(filename), `${basename(filename, ext)}${i}${ext}`);
  }

  private rotate(): void {
    closeSync(this.fd);
    const last = this.opts.maxFiles - 1;
    if (last < 1) {
      rmSync(this.opts.filename, { force: true });
    } else {
      rmSync(this.rotatedName(last), { force: true });
      for (let i = last - 1; i >= 1; i--) {
        if (existsSync(this.rotatedName(i))) renameSync(this.rotatedName(i), this.rotatedName(i + 1));
      }
      renameSync(this.opts.filename, this.rotatedName(1));
    }
    this.fd = openSync(this.opts.filename, "a");
    this.size = 0;
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    const line = Buffer.from(`${String(info[MESSAGE])}\n`, "utf8");
    try {
      if (this.size > 0 && this.size + line.length > this.opts.maxSize) this.rotate();
      writeSync(this.fd, line);
      this.size += line.length;
    } catch (err) {
      this.emit("warn", err);
    }
    this.emit("logged", info);
    callback();
  }

  override close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
