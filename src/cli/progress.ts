/** Progress on stderr: one rewritten line on a TTY, plain lines otherwise (so logs stay readable). */
export interface Progress {
  update(text: string): void;
  done(): void;
}

export function progress(stream: NodeJS.WriteStream = process.stderr, quietWhenPiped = true): Progress {
  const tty = stream.isTTY === true;
  let last = '';
  return {
    update(text) {
      if (tty) {
        stream.write(`\r\x1b[2K${text}`);
        last = text;
      } else if (!quietWhenPiped) stream.write(text + '\n');
    },
    done() {
      if (tty && last) stream.write('\r\x1b[2K');
      last = '';
    },
  };
}
