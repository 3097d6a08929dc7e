// /v1/operator/raft/*: Nomad's servers are Raft peers; Caravan's are the
// controller replicas, which elect their leader on a Kubernetes Lease and
// announce themselves with a Lease each (src/kube/replicas.ts). The peer list
// is those replicas, the leader marked; removing a peer is not something a
// replica can be asked to do (stopping it removes it).
import type { Route } from "../../http/context.js";
import { HttpError } from "../../http/errors.js";
import type { RouteDeps } from "./deps.js";

export function operatorRaftRoutes(deps: RouteDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/v1/operator/raft/configuration",
      // Nomad's Operator.RaftGetConfiguration asks for a management token.
      acl: "management",
      handle: async () => {
        const { replicas, index } = (await deps.replicas?.()) ?? { replicas: [], index: 0 };
        return {
          body: {
            Servers: replicas.map((r) => ({
              ID: r.identity,
              Node: r.node,
              Address: r.address,
              Leader: r.leader,
              // Every replica may be elected.
              Voter: true,
              // Replicas elect on a Lease and speak no Raft: Nomad's word for a version it does not know.
              RaftProtocol: "unknown",
            })),
            Index: index,
          },
          index,
        };
      },
    },
    {
      method: "DELETE",
      path: "/v1/operator/raft/peer",
      acl: "management",
      handle: (ctx) => {
        if (ctx.query.has("address"))
          throw new HttpError(
            400,
            "Removing a peer by address is not supported in the current raft protocol version",
          );
        if (!ctx.query.has("id")) throw new HttpError(400, "Must specify the peer's ID to remove");
        throw new HttpError(
          400,
          "Caravan's servers are controller replicas, not Raft peers: stop the replica (or scale down its Deployment) and it leaves the peer list when its Lease lapses",
        );
      },
    },
  ];
}
