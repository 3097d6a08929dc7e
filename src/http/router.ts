// Method + path → route. Paths are matched segment by segment; a ":name*"
// parameter takes everything up to the route's fixed suffix, because Nomad IDs
// may hold slashes (periodic and dispatched children: "parent/periodic-…").
import { checkAccessDeclared } from "./authorize.js";
import type { Route } from "./context.js";
import { HttpError } from "./errors.js";

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

export type Match = { route: Route; params: Record<string, string> };

/** A Nomad path this server knows of but does not serve: the answer says why. */
export interface NotServed {
  /** "/v1/vars": the path and everything under it. */
  prefix: string;
  status: number;
  message: string;
}

export class Router {
  private readonly exact = new Map<string, Map<string, Route>>();
  private readonly patterns: Compiled[] = [];

  /** `notServed`: Nomad paths answered with their reason when no route matches them. */
  constructor(private readonly notServed: readonly NotServed[] = []) {}

  add(route: Route): void {
    // A route nobody said who may call is a hole in the ACL system: refuse to serve it.
    checkAccessDeclared(route);
    if (!route.path.includes(":")) {
      const byMethod = this.exact.get(route.path) ?? new Map<string, Route>();
      byMethod.set(route.method, route);
      this.exact.set(route.path, byMethod);
      return;
    }
    const names: string[] = [];
    const source = route.path
      .split("/")
      .map((seg) => {
        if (!seg.startsWith(":")) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const greedy = seg.endsWith("*");
        names.push(seg.slice(1, greedy ? -1 : undefined));
        return greedy ? "(.+)" : "([^/]+)";
      })
      .join("/");
    this.patterns.push({ route, re: new RegExp(`^${source}$`), names });
  }

  /** The route for the request; 404 for an unknown path, 405 for a known path and another method. */
  match(method: string, path: string): Match {
    // Nomad accepts PUT and POST alike for writes.
    const want = method === "PUT" ? "POST" : method;
    const exact = this.exact.get(path);
    if (exact) {
      const route = exact.get(want) ?? (want === "POST" ? exact.get("PUT") : undefined);
      if (route) return { route, params: {} };
      throw new HttpError(405, "Invalid method");
    }
    // The first pattern that matches decides the path; a job ID may end in
    // "/allocations", but like Nomad we read that as the allocations route.
    let matched: string | undefined;
    for (const c of this.patterns) {
      if (matched !== undefined && c.route.path !== matched) continue;
      const m = c.re.exec(path);
      if (!m) continue;
      matched = c.route.path;
      if (c.route.method !== want) continue;
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        params[name] = decode(m[i + 1] ?? "");
      });
      return { route: c.route, params };
    }
    if (matched !== undefined) throw new HttpError(405, "Invalid method");
    const why = this.notServed.find((n) => path === n.prefix || path.startsWith(`${n.prefix}/`));
    if (why) throw new HttpError(why.status, why.message);
    throw new HttpError(404, "Invalid URL path");
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, `invalid escape in path: ${JSON.stringify(s)}`);
  }
}
