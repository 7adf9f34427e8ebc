// drain() loads most of its code in the background; a node:http2 server is
// followed from the call on. A session and a stream opened in that window (a
// client that connects at once) must be drained like later ones: GOAWAY at
// the stop, the stream counted in flight and cut at timeoutMs. Without it
// the drain saw 0 in flight and ended at once, leaving the stream uncut.

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { drain } from "../../mod.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

/** An HTTP/2 session that records what is done to it. */
class FakeSession extends EventEmitter {
  readonly log: string[];
  constructor(log: string[]) {
    super();
    this.log = log;
  }
  close(): void {
    this.log.push("session GOAWAY");
  }
  goaway(code?: number): void {
    this.log.push(`session goaway ${code}`);
  }
  destroy(): void {
    this.log.push("session destroyed");
    this.emit("close");
  }
}

/** The parts of a node:http2 server drain() reads, events emitted by hand. */
class FakeHttp2Server extends EventEmitter {
  listening = true;
  close(callback?: () => void): void {
    this.listening = false;
    setTimeout(() => callback?.(), 0);
  }
  updateSettings(): void {}
}

test("drain: an HTTP/2 session and stream opened before drain()'s code loads are drained and cut", async () => {
  await withController({ budgetMs: 10_000 }, async ({ controller }) => {
    const log: string[] = [];
    const server = new FakeHttp2Server();
    const drained = drain(server, { controller, timeoutMs: 300 });
    // In the same turn as drain(): before its code can have loaded.
    const session = new FakeSession(log);
    const stream = new EventEmitter();
    server.emit("session", session);
    server.emit("stream", stream);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(drained.stats.active, 1, "the early stream is in flight");
    const start = performance.now();
    controller.request();
    await controller.done;
    const elapsed = performance.now() - start;
    assert.deepEqual(log, ["session GOAWAY", "session goaway 8", "session destroyed"]);
    assert.ok(elapsed >= 250, `cut after ${elapsed} ms`);
    assert.equal(drained.stats.cut, 1);
    assert.equal(drained.stats.active, 0);
  });
});
