// drain() loads most of its code in the background; a node:http server is
// followed from the call on. A WebSocket upgraded in that window (a client
// that connects at once) must still be known as one at the stop, not taken
// for an idle connection and destroyed (the client would see 1006, not 1001).

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { drain } from "../../mod.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

/** A socket that records what is done to it. */
class FakeSocket extends EventEmitter {
  readonly log: string[];
  constructor(log: string[]) {
    super();
    this.log = log;
  }
  destroy(): void {
    this.log.push("socket destroyed");
    this.emit("close");
  }
  end(): void {
    this.log.push("socket ended");
    this.emit("close");
  }
}

/** The parts of a node:http server drain() reads, events emitted by hand. */
class FakeServer extends EventEmitter {
  listening = true;
  close(callback?: () => void): void {
    this.listening = false;
    setTimeout(() => callback?.(), 0);
  }
  closeIdleConnections(): void {}
}

test("drain: a node:http WebSocket upgraded before drain()'s code loads is closed with 1001 at timeoutMs", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller }) => {
    const log: string[] = [];
    const server = new FakeServer();
    const drained = drain(server, { controller, timeoutMs: 300 });
    // After drain(), as a `ws` server made later would add it.
    server.on("upgrade", (_request: unknown, socket: FakeSocket) => {
      drained.track({
        close(code: number): void {
          log.push(`ws close ${code}`);
          socket.end();
        },
      });
    });
    // In the same turn as drain(): before its code can have loaded.
    const socket = new FakeSocket(log);
    server.emit("connection", socket);
    server.emit("upgrade", {}, socket);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = performance.now();
    controller.request();
    await controller.done;
    assert.equal(log[0], "ws close 1001", log.join(", "));
    assert.ok(performance.now() - start >= 250, `closed after ${performance.now() - start} ms`);
    assert.equal(drained.stats.webSockets, 1);
  });
});
