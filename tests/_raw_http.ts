// A small HTTP/1.1 client over node:net that behaves the same on Deno, Bun and
// Node: one connection, requests one after the other, and the raw truth about
// headers and when the server closed the connection.
import { connect, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";

/** One parsed response. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One keep-alive connection to 127.0.0.1:`port`. */
export class RawConnection {
  readonly socket: Socket;
  /** Resolves when the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;
  /** Resolves once connected; rejects when the connection is refused. */
  readonly connected: Promise<void>;
  #buffer = "";
  #wake: (() => void) | undefined;
  #ended = false;

  /** With `tls`, over TLS without checking the certificate (a self-signed one in tests). */
  constructor(port: number, options: { tls?: boolean } = {}) {
    this.socket = options.tls
      ? connectTls({ port, host: "127.0.0.1", rejectUnauthorized: false })
      : connect(port, "127.0.0.1");
    this.socket.setEncoding("latin1");
    this.connected = new Promise((resolve, reject) => {
      this.socket.once(options.tls ? "secureConnect" : "connect", resolve);
      this.socket.once("error", reject);
    });
    this.connected.catch(() => {});
    this.socket.on("error", () => {});
    this.socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => {
      this.socket.once("close", () => {
        this.#ended = true;
        this.#wake?.();
        resolve();
      });
    });
  }

  /** Sends a GET and reads its whole response; rejects if the connection ends first. */
  async get(path: string): Promise<RawResponse> {
    await this.connected;
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    return await this.#read();
  }

  /** Sends a GET and resolves with the head once it arrived (for streams). */
  async start(path: string): Promise<string> {
    await this.connected;
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await this.#until(() => this.#buffer.includes("\r\n\r\n"));
    return this.#buffer.slice(0, this.#buffer.indexOf("\r\n\r\n"));
  }

  /**
   * Resolves once the peer has closed the connection. Bun's client may not
   * notice a reset on a socket that sends nothing, so after `quietMs` it
   * writes a byte, which a closed peer answers with a reset.
   */
  async peerClosed(quietMs = 500): Promise<void> {
    const quiet = await Promise.race([
      this.closed.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), quietMs)),
    ]);
    if (quiet) this.socket.write("\r\n");
    await this.closed;
  }

  /** Closes the connection. */
  close(): void {
    this.socket.destroy();
  }

  async #until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.#ended) throw new Error(`connection closed; had ${JSON.stringify(this.#buffer)}`);
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
  }

  async #read(): Promise<RawResponse> {
    await this.#until(() => this.#buffer.includes("\r\n\r\n"));
    const end = this.#buffer.indexOf("\r\n\r\n");
    const [statusLine, ...lines] = this.#buffer.slice(0, end).split("\r\n");
    this.#buffer = this.#buffer.slice(end + 4);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(statusLine.split(" ")[1]);
    let body = "";
    if (headers["transfer-encoding"] === "chunked") {
      for (;;) {
        await this.#until(() => this.#buffer.includes("\r\n"));
        const size = parseInt(this.#buffer.slice(0, this.#buffer.indexOf("\r\n")), 16);
        const start = this.#buffer.indexOf("\r\n") + 2;
        await this.#until(() => this.#buffer.length >= start + size + 2);
        body += this.#buffer.slice(start, start + size);
        this.#buffer = this.#buffer.slice(start + size + 2);
        if (size === 0) break;
      }
    } else {
      const length = Number(headers["content-length"] ?? 0);
      await this.#until(() => this.#buffer.length >= length);
      body = this.#buffer.slice(0, length);
      this.#buffer = this.#buffer.slice(length);
    }
    return { status, headers, body };
  }
}
