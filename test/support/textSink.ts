// A writable that keeps every chunk written to it as text: stdout/stderr of a command under test.
import { Writable } from 'node:stream';

export interface TextSink {
  stream: Writable;
  /** Everything written so far. */
  text: () => string;
}

export function textSink(): TextSink {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { stream, text: () => text };
}
