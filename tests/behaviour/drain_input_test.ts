// drain() in-process, with a fake runtime: bad input, LIFO order, disposal.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { drain, drainable, readiness, ShutdownController, writeReadiness } from "../../mod.ts";
import { FakeRuntime } from "../../testing.ts";
import { processTest as test } from "../_harness.ts";

function listening(): Promise<Server> {
  const server = createServer((_req, res) => res.end("ok"));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function shutDown(runtime: FakeRuntime, controller: ShutdownController) {
  runtime.deliver("SIGTERM");
  for (let i = 0; i < 20 && controller.state !== "done"; i++) {
    await runtime.advance(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return await controller.done;
}

test("drain: a value that is no server is refused with a TypeError that says what it got", () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  try {
    assert.throws(() => drain({ port: 1 }, { controller }), {
      name: "TypeError",
      message:
        /needs what Deno.serve\(\) or Bun.serve\(\) returns.*got an object with keys \["port"\]/,
    });
    assert.throws(() => drain(null as never, { controller }), /got null/);
    assert.throws(() => drain(function app() {}, { controller }), /function app \(an app\?/);
    assert.throws(() => drain("server" as never, { controller }), /got "server"/);
  } finally {
    controller[Symbol.dispose]();
  }
});

test("drain: bad options name the option; nothing is registered after a rejected call", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  const server = await listening();
  try {
    const bad: [object, RegExp, ErrorConstructor][] = [
      [{ drainDelayMs: -1 }, /drainDelayMs .* got -1/, RangeError],
      [{ drainDelayMs: Infinity }, /drainDelayMs .* got Infinity/, RangeError],
      [{ timeoutMs: "5" }, /timeoutMs must be a number .* got "5"/, TypeError],
      [{ timeoutMs: NaN }, /timeoutMs .* got NaN/, RangeError],
      [{ name: 3 }, /name must be a string, got 3/, TypeError],
      [{ delay: 5 }, /unknown option "delay"/, TypeError],
      [{ controller: {} }, /controller must be a ShutdownController, got \{\}/, TypeError],
      [
        { handler: () => new Response() },
        /handler must be a fetch handler wrapped by drainable/,
        TypeError,
      ],
      [
        { handler: drainable(() => new Response()) },
        /handler is for Deno.serve\(\) and Bun.serve\(\)/,
        TypeError,
      ],
    ];
    const connectionListeners = server.listenerCount("connection");
    for (const [options, message, type] of bad) {
      assert.throws(() => drain(server, { controller, ...options }), (error: Error) => {
        assert.ok(error instanceof type, `${error.name} for ${JSON.stringify(options)}`);
        assert.match(error.message, message);
        return true;
      });
    }
    assert.throws(() => drain(server, 5 as never), /drain\(\) options must be an object, got 5/);
    assert.equal(server.listenerCount("request"), 1, "only the app's own listener");
    assert.equal(server.listenerCount("connection"), connectionListeners);
    const report = await shutDown(runtime, controller);
    assert.deepEqual(report.steps, []);
    assert.ok(server.listening, "no drain ran");
  } finally {
    controller[Symbol.dispose]();
    server.close();
  }
});

test("drain: a server is drained once at a time; disposing unregisters it", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  const server = await listening();
  try {
    const first = drain(server, { controller });
    assert.throws(() => drain(server, { controller }), /already drained/);
    first[Symbol.dispose]();
    assert.equal(server.listenerCount("request"), 1);
    const second = drain(server, { controller, name: "second" });
    second[Symbol.dispose]();
    second[Symbol.dispose]();
    const report = await shutDown(runtime, controller);
    assert.deepEqual(report.steps, []);
    assert.ok(server.listening);
  } finally {
    controller[Symbol.dispose]();
    server.close();
  }
});

test("drain: a named step, last registered first with the hooks", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  const server = await listening();
  try {
    const order: string[] = [];
    controller.onShutdown(
      () => void order.push(`database, server listening: ${server.listening}`),
      {
        name: "database",
      },
    );
    const handle = drain(server, { controller, name: "api" });
    controller.onShutdown(() => void order.push("metrics"), { name: "metrics" });
    assert.equal(handle.stats.phase, "serving");
    const report = await shutDown(runtime, controller);
    assert.deepEqual(report.steps.map((step) => `${step.name}:${step.outcome}`), [
      "metrics:ok",
      "api:ok",
      "database:ok",
    ]);
    assert.deepEqual(order, ["metrics", "database, server listening: false"]);
    assert.deepEqual(handle.stats, {
      phase: "closed",
      active: 0,
      inFlight: 0,
      served: 0,
      cut: 0,
      webSockets: 0,
      tracked: true,
    });
  } finally {
    controller[Symbol.dispose]();
  }
});

test("drain: track() takes sockets with close(); open ones are closed with 1001", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  const server = await listening();
  try {
    const handle = drain(server, { controller });
    for (const bad of [null, 3, "ws", {}, { close: 1 }]) {
      assert.throws(() => handle.track(bad as never), {
        name: "TypeError",
        message: /^track\(\) needs a WebSocket \(an object with close\(code, reason\)\), got /,
      });
    }
    const closed: string[] = [];
    const socket = (name: string, readyState = 1) => {
      const listeners: (() => void)[] = [];
      return {
        readyState,
        close(code: number, reason: string) {
          closed.push(`${name} ${code} ${reason}`);
          this.readyState = 3;
          for (const listener of listeners) listener();
        },
        addEventListener: (_type: "close", listener: () => void) => void listeners.push(listener),
      };
    };
    handle.track(socket("open"));
    handle.track({ close: (code: number) => void closed.push(`no events ${code}`) });
    handle.track(socket("forgotten"))[Symbol.dispose]();
    handle.track(socket("already closed", 3));
    const gone = socket("closed by itself");
    handle.track(gone);
    gone.close(1000, "bye");
    closed.length = 0;
    await shutDown(runtime, controller);
    assert.deepEqual(closed.sort(), ["no events 1001", "open 1001 server shutting down"]);
    assert.equal(handle.stats.webSockets, 2);
  } finally {
    controller[Symbol.dispose]();
  }
});

test("readiness: 200 while running, 503 once shutdown is requested", async () => {
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  try {
    const written: [number, Record<string, string>, string][] = [];
    const res = {
      statusCode: 0,
      headers: {} as Record<string, string>,
      setHeader(name: string, value: string) {
        this.headers[name] = value;
      },
      end(body: string) {
        written.push([this.statusCode, { ...this.headers }, body]);
      },
    };
    const before = readiness(controller);
    writeReadiness(res, controller);
    runtime.deliver("SIGTERM");
    const after = readiness(controller);
    writeReadiness(res, controller);
    assert.deepEqual([before.status, await before.text()], [200, "ready\n"]);
    assert.deepEqual([after.status, await after.text()], [503, "shutting down\n"]);
    assert.equal(after.headers.get("cache-control"), "no-store");
    assert.deepEqual(written.map(([status, , body]) => [status, body]), [
      [200, "ready\n"],
      [503, "shutting down\n"],
    ]);
    assert.throws(() => readiness({} as never), /controller must be a ShutdownController/);
    await runtime.advance(0);
  } finally {
    controller[Symbol.dispose]();
  }
});

test("drainable: with Deno's info.completed, bodies pass whole (complete or streamed)", async () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const chunks = (count: number, open = false) => {
    let late = open;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < count; i++) controller.enqueue(bytes(`${i};`));
        if (!open) controller.close();
      },
      pull(controller) {
        // An open stream gives its last chunk later, then ends.
        if (!late) return;
        late = false;
        return new Promise<void>((resolve) =>
          setTimeout(() => resolve(controller.enqueue(bytes("late"))), 20)
        ).then(() => controller.close());
      },
    });
  };
  const handler = drainable((request: Request, _info?: unknown): Response => {
    const path = new URL(request.url).pathname;
    if (path === "/text") return new Response("hello", { headers: { "x-a": "1" } });
    if (path === "/none") return new Response(null, { status: 204 });
    if (path === "/many") return new Response(chunks(20));
    if (path === "/open") return new Response(chunks(2, true), { status: 201 });
    return new Response(bytes("bytes"), { statusText: "Fine" });
  });
  const info = () => ({ completed: Promise.resolve() });
  const get = async (path: string) => {
    const response = (await handler(new Request(`http://localhost${path}`), info()))!;
    return [
      response.status,
      response.statusText,
      await response.text(),
      response.headers.get("x-a"),
    ];
  };
  assert.deepEqual(await get("/text"), [200, "", "hello", "1"]);
  assert.deepEqual(await get("/none"), [204, "", "", null]);
  assert.deepEqual(await get("/bytes"), [200, "Fine", "bytes", null]);
  const many = Array.from({ length: 20 }, (_, i) => `${i};`).join("");
  assert.deepEqual(await get("/many"), [200, "", many, null]);
  assert.deepEqual(await get("/open"), [201, "", "0;1;late", null]);
});
