// GET /v1/event/stream: Nomad's event stream (command/agent/event_endpoint.go,
// nomad/event_endpoint.go). Newline-delimited JSON frames {"Index","Events"}
// for the topics asked for (?topic=Job:web, repeatable; all when none), a
// heartbeat frame {} at once and every 30 s, and ?index=N to resume after
// index N from the events kept. Events come from the API's informers through
// one EventBroker; a client that stops reading is dropped, not buffered for.
import type { Acl } from "../../acl/acl.js";
import { tokenSecret } from "../../http/authorize.js";
import type { Ctx, Reply, Route } from "../../http/context.js";
import { badRequest, HttpError, permissionDenied } from "../../http/errors.js";
import { EventBroker, type StreamEvent } from "../event-broker.js";
import type { RouteDeps } from "./deps.js";

/** Nomad's JsonStream heartbeat period (nomad/event_endpoint.go). */
export const heartbeatMs = 30_000;
/** Bytes written and not yet taken by the client before it is dropped. */
export const maxUnsentBytes = 8 * 1024 * 1024;

const namespaced = new Set([
  "Job",
  "Allocation",
  "Evaluation",
  "Deployment",
  "Service",
  "CSIPlugin",
]);

/** topic → keys, as Nomad parses ?topic=Topic:Key ("*" when no key, everything when no topic). */
export function parseTopics(query: URLSearchParams): Map<string, string[]> {
  const raw = query.getAll("topic");
  const topics = new Map<string, string[]>();
  if (raw.length === 0) return new Map([["*", ["*"]]]);
  for (const t of raw) {
    const parts = t.split(":");
    if (parts.length > 2)
      throw badRequest(
        `Invalid topic query: error parsing topics: Invalid key value pair for topic, topic: ${t}`,
      );
    const [topic = "", key = "*"] = parts;
    topics.set(topic, [...(topics.get(topic) ?? []), key]);
  }
  return topics;
}

/** Whether the token may read events of the topic in the namespace (Nomad's validateNsOp). */
function mayRead(acl: Acl, topic: string, namespace: string, allNamespaces: boolean): boolean {
  if (acl.management) return true;
  if (namespaced.has(topic))
    return allNamespaces
      ? acl.anyNamespaceAllows("read-job")
      : acl.allowNamespace(namespace, "read-job");
  if (topic === "Node") return acl.allow("node", "read");
  // Node pools, ACL objects, operator and the rest: management only, as in Nomad.
  return false;
}

export function eventRoutes(deps: RouteDeps): Route[] {
  const broker = new EventBroker(deps.state);

  function stream(ctx: Ctx): Reply {
    const topics = parseTopics(ctx.query);
    const { namespace, allNamespaces } = ctx.opts;
    // Nomad refuses a topic the token cannot read. Topic "*" it keeps for
    // management tokens; here any caller may ask for it and is shown only
    // the topics and namespaces it may read.
    const check = (acl: Acl) => {
      for (const topic of topics.keys())
        if (topic !== "*" && !mayRead(acl, topic, namespace, allNamespaces))
          throw permissionDenied();
    };
    check(ctx.acl);
    // As Nomad, the token is checked again while the stream runs: a token
    // deleted, expired or stripped of a topic's capability ends the stream.
    const secret = tokenSecret(ctx.req);
    let acl = ctx.acl;
    let checkedAt = Date.now();
    let checkedIndex = authIndex();
    function authIndex(): number {
      return deps.state.index(["tokens", "policies"]);
    }
    const reauthorize = (): boolean => {
      const now = Date.now();
      if (now - checkedAt < 1_000 && authIndex() === checkedIndex) return true;
      checkedAt = now;
      checkedIndex = authIndex();
      try {
        acl = deps.auth.resolve(secret).acl;
        check(acl);
        return true;
      } catch (err) {
        const message = err instanceof HttpError ? err.message : "Permission denied";
        close(JSON.stringify({ Error: message }));
        return false;
      }
    };
    const wildcard = topics.get("*") ?? [];
    const visible = (e: StreamEvent): boolean => {
      const h = e.head;
      if (h.Namespace !== "" && !allNamespaces && h.Namespace !== namespace) return false;
      if (!mayRead(acl, h.Topic, h.Namespace, false)) return false;
      const keys = [...wildcard, ...(topics.get(h.Topic) ?? [])];
      return keys.some((k) => k === "*" || k === h.Key || (h.FilterKeys ?? []).includes(k));
    };

    const res = ctx.res;
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache" });
    let open = true;
    const write = (frame: string) => {
      if (!open) return;
      res.write(`${frame}\n`);
      // Nomad closes a subscription that cannot keep up; the client resubscribes from its last index.
      if (res.writableLength > maxUnsentBytes)
        close('{"Error":"subscription closed by server, client should resubscribe"}');
    };
    const close = (last: string) => {
      if (!open) return;
      stop();
      res.end(`${last}\n`);
      setTimeout(() => res.destroy(), 10_000).unref();
    };
    let unsubscribe = () => {};
    const heartbeat = setInterval(() => reauthorize() && write("{}"), heartbeatMs);
    heartbeat.unref();
    function stop() {
      open = false;
      clearInterval(heartbeat);
      unsubscribe();
    }
    res.once("close", stop);
    // As Nomad: a heartbeat first, so the client knows the subscription is up.
    write("{}");
    unsubscribe = broker.subscribe(ctx.opts.minIndex ?? 0, (e) => {
      if (reauthorize() && visible(e)) write(`{"Index":${e.index},"Events":[${e.serialized()}]}`);
    });
    if (!open) unsubscribe();
    return { streamed: true };
  }

  return [{ method: "GET", path: "/v1/event/stream", acl: "filtered", handle: stream }];
}
