// Resolves a task's `user` (a name, or a numeric uid) to the uid and gid it
// runs as, from the host's /etc/passwd, as Nomad's exec driver does.

export interface UserIds {
  uid: number;
  gid: number;
}

/** Looks `user` up in passwd-format text; undefined when it is not there. */
export function lookupUser(passwd: string, user: string): UserIds | undefined {
  for (const line of passwd.split("\n")) {
    const [name, , uid, gid] = line.split(":");
    if (uid === undefined || gid === undefined) continue;
    if (name === user || (/^\d+$/.test(user) && uid === user))
      return { uid: Number(uid), gid: Number(gid) };
  }
  // A bare uid with no passwd entry runs with the same gid, as runc does.
  if (/^\d+$/.test(user)) return { uid: Number(user), gid: Number(user) };
  return undefined;
}
