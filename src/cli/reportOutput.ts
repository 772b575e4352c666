// Report text written as it is produced: small pieces are gathered into chunks of about 64 KB,
// and the writer waits for the output to drain when it is slower than the report.
import { once } from 'node:events';

const CHUNK_CHARS = 1 << 16;

export class ReportOutput {
  private parts: string[] = [];
  private size = 0;
  private blocked: Promise<unknown> | undefined;

  /** `beforeWrite` runs before each chunk reaches `out` (e.g. to clear a progress line on a terminal). */
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly beforeWrite: () => void = () => {},
  ) {}

  /** Adds text; a full chunk is passed on at once (call drained() now and then to respect back-pressure). */
  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= CHUNK_CHARS) this.flush();
  }

  /** Resolves when the output has taken what it was given (at once unless it asked to wait). */
  async drained(): Promise<void> {
    while (this.blocked !== undefined) {
      const blocked = this.blocked;
      await blocked;
      if (this.blocked === blocked) this.blocked = undefined;
    }
  }

  /** Passes on what is gathered, then waits for it to drain. */
  async end(): Promise<void> {
    this.flush();
    await this.drained();
  }

  /** write() then drained() for each piece. */
  async writeAll(pieces: Iterable<string>): Promise<void> {
    for (const piece of pieces) {
      this.write(piece);
      await this.drained();
    }
  }

  private flush(): void {
    if (this.size === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.beforeWrite();
    if (!this.out.write(text) && this.blocked === undefined) this.blocked = once(this.out, 'drain');
  }
}
