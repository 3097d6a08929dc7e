"""python-nomad (PyPI), a Nomad client nobody here wrote, against Caravan.

Run against `caravan dev` with ACLs enabled: NOMAD_ADDR names it. The
journey bootstraps ACLs, registers a job from its JSON, reads it, waits for
its allocation, reads the task's logs, scales the job, reads its
deployments and evaluations, checks a read-only token is refused a write,
then stops and purges the job. Each step prints "ok <step>"; the first
failure prints "FAIL <step>: <why>" and exits 1.
"""

import os
import sys
import time

import nomad
from nomad.api import exceptions

JOB_ID = "python-journey"
TASK = "hello"

# The job as Nomad's JSON (what `nomad job run -output` prints): the server
# fills in the defaults.
JOB = {
    "ID": JOB_ID,
    "Name": JOB_ID,
    "Type": "service",
    "Datacenters": ["*"],
    "Update": {"MinHealthyTime": 1_000_000_000},
    "TaskGroups": [
        {
            "Name": "web",
            "Count": 1,
            "Scaling": {"Min": 1, "Max": 3, "Enabled": True},
            "Tasks": [
                {
                    "Name": TASK,
                    "Driver": "raw_exec",
                    "Config": {
                        "command": "/bin/sh",
                        "args": ["-c", "echo hello from python-nomad; while true; do sleep 1; done"],
                    },
                    "Resources": {"CPU": 50, "MemoryMB": 32},
                }
            ],
        }
    ],
}


class Failed(Exception):
    pass


def check(condition, why):
    if not condition:
        raise Failed(why)


def poll(what, timeout, probe):
    """Call probe every 250ms until it returns a true value, which is returned."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            got = probe()
            if got:
                return got
        except exceptions.BaseNomadException as error:
            last = error
        time.sleep(0.25)
    raise Failed(f"timed out after {timeout}s waiting for {what} (last error: {last})")


def client(token=None):
    return nomad.Nomad(address=os.environ["NOMAD_ADDR"], token=token, timeout=30)


def refused(call):
    """The call is refused with 403, as Nomad refuses a token without the capability."""
    try:
        call()
    except exceptions.URLNotAuthorizedNomadException:
        return
    raise Failed("the call succeeded; want 403")


class Journey:
    def __init__(self):
        self.n = client()
        self.reader = None
        self.reader_accessor = None
        self.register_eval = None
        self.alloc_id = None
        self.scale_eval = None

    def acl_bootstrap(self):
        refused(lambda: self.n.jobs.get_jobs())
        boot = self.n.acl.generate_bootstrap()
        check(boot["Type"] == "management" and boot["SecretID"], f"bootstrap answered {boot}")
        self.n = client(boot["SecretID"])
        check(self.n.acl.get_self_token()["AccessorID"] == boot["AccessorID"], "self is not the bootstrap token")

    def acl_policy(self):
        rules = 'namespace "default" { policy = "read" }'
        self.n.acl.create_policy("readonly", {"Name": "readonly", "Description": "reads", "Rules": rules})
        policy = self.n.acl.get_policy("readonly")
        check(policy["Rules"] == rules and policy["Description"] == "reads", f"policy {policy}")
        names = [p["Name"] for p in self.n.acl.get_policies()]
        check(names == ["readonly"], f"policies {names}")

    def acl_token(self):
        token = self.n.acl.create_token({"Name": "reader", "Type": "client", "Policies": ["readonly"]})
        check(token["SecretID"] and token["Type"] == "client", f"token {token}")
        self.reader_accessor = token["AccessorID"]
        self.reader = client(token["SecretID"])
        check(self.reader.acl.get_self_token()["Name"] == "reader", "the reader's self")
        check(self.n.acl.get_token(token["AccessorID"])["Policies"] == ["readonly"], "token info")
        check(len(self.n.acl.get_tokens()) == 2, "want the bootstrap and reader tokens")
        updated = self.n.acl.update_token(
            token["AccessorID"],
            {"AccessorID": token["AccessorID"], "Name": "renamed", "Type": "client", "Policies": ["readonly"]},
        )
        check(updated["Name"] == "renamed" and updated["AccessorID"] == token["AccessorID"], f"updated {updated}")
        check(self.reader.acl.get_self_token()["Name"] == "renamed", "the reader's secret after the update")
        check([p["Name"] for p in self.reader.acl.get_policies()] == ["readonly"], "the reader's policies")
        refused(lambda: self.reader.acl.get_tokens())

    def register(self):
        answer = self.n.job.register_job(JOB_ID, {"Job": JOB})
        check(answer["EvalID"] and answer["JobModifyIndex"] > 0, f"register answered {answer}")
        self.register_eval = answer["EvalID"]
        refused(lambda: self.reader.job.register_job(JOB_ID, {"Job": JOB}))

    def read(self):
        job = self.n.job.get_job(JOB_ID)
        check(job["Priority"] == 50 and job["TaskGroups"][0]["Tasks"][0]["Driver"] == "raw_exec", "canonical job")
        check([j["ID"] for j in self.n.jobs.get_jobs()] == [JOB_ID], "job list")
        check(self.reader.job.get_job(JOB_ID)["ID"] == JOB_ID, "the reader reads the job")
        check(len(self.n.job.get_versions(JOB_ID)["Versions"]) == 1, "versions")
        parsed = self.n.jobs.parse('job "p" { group "g" { task "t" { driver = "raw_exec" } } }', canonicalize=True)
        check(parsed["ID"] == "p" and parsed["TaskGroups"][0]["Count"] == 1, f"parse {parsed}")

    def allocations(self):
        def running():
            return [a for a in self.n.job.get_allocations(JOB_ID) if a["ClientStatus"] == "running"]

        self.alloc_id = poll("a running allocation", 120, running)[0]["ID"]
        alloc = self.n.allocation.get_allocation(self.alloc_id)
        check(alloc["JobID"] == JOB_ID and alloc["TaskStates"][TASK]["State"] == "running", "allocation info")
        listed = self.n.allocations.get_allocations(prefix=self.alloc_id[:8])
        check([a["ID"] for a in listed] == [self.alloc_id], f"allocations by prefix {listed}")
        poll("the summary", 30, lambda: self.n.job.get_summary(JOB_ID)["Summary"]["web"]["Running"] == 1)

    def logs(self):
        def stdout():
            return "hello from python-nomad" in self.n.client.stream_logs.stream(
                self.alloc_id, TASK, "stdout", plain=True
            )

        poll("the task's stdout", 60, stdout)
        framed = self.n.client.stream_logs.stream(self.alloc_id, TASK, "stdout")
        check('"Data"' in framed, f"framed logs {framed[:200]!r}")
        cat = self.n.client.cat.read_file(self.alloc_id, f"alloc/logs/{TASK}.stdout.0")
        check("hello from python-nomad" in cat, f"cat {cat!r}")
        names = {f["Name"] for f in self.n.client.ls.list_files(self.alloc_id, "/")}
        check({"alloc", TASK} <= names, f"ls / {names}")
        stat = self.n.client.stat.stat_file(self.alloc_id, f"alloc/logs/{TASK}.stdout.0")
        check(not stat["IsDir"] and stat["Size"] > 0, f"stat {stat}")

    def scale(self):
        # python-nomad 2.1.0 has no scale call: POST /v1/job/:id/scale through its requester.
        answer = self.n.job.request(
            JOB_ID,
            "scale",
            json={"Count": 2, "Target": {"Group": "web"}, "Message": "python-nomad"},
            method="post",
        ).json()
        check(answer["EvalID"], f"scale answered {answer}")
        self.scale_eval = answer["EvalID"]
        # The scale is the group's newest scaling event, as `nomad job scaling-events` lists them.
        status = self.n.job.request(JOB_ID, "scale", method="get").json()
        event = (status["TaskGroups"]["web"]["Events"] or [{}])[0]
        check(
            event.get("Count") == 2
            and event.get("PreviousCount") == 1
            and event.get("Message") == "python-nomad"
            and event.get("EvalID") == self.scale_eval,
            f"scaling events {status['TaskGroups']['web']['Events']}",
        )
        poll("two running allocations", 120, lambda: self.n.job.get_summary(JOB_ID)["Summary"]["web"]["Running"] == 2)
        policies = self.n.scaling.get_scaling_policies(job=JOB_ID)
        check(len(policies) == 1 and policies[0]["Target"]["Group"] == "web", f"scaling policies {policies}")
        policy = self.n.scaling.get_scaling_policy(policies[0]["ID"])
        check(policy["Min"] == 1 and policy["Max"] == 3, f"scaling policy {policy}")

    def deployments(self):
        def latest_done():
            d = self.n.job.get_deployment(JOB_ID)
            return d if d and d["JobVersion"] == 1 and d["Status"] == "successful" else None

        latest = poll("the scaled version's deployment to succeed", 120, latest_done)
        ids = [d["ID"] for d in self.n.job.get_deployments(JOB_ID)]
        check(len(ids) == 2 and latest["ID"] in ids, f"job deployments {ids}")
        check({d["ID"] for d in self.n.deployments.get_deployments()} == set(ids), "deployment list")
        one = self.n.deployment.get_deployment(latest["ID"])
        check(one["TaskGroups"]["web"]["DesiredTotal"] == 2, f"deployment {one}")
        placed = self.n.deployment.get_deployment_allocations(latest["ID"])
        check(len(placed) >= 1, "the deployment's allocations")

    def evaluations(self):
        evals = self.n.job.get_evaluations(JOB_ID)
        check(self.register_eval in [e["ID"] for e in evals], "the registration's evaluation")
        check(self.register_eval in [e["ID"] for e in self.n.evaluations.get_evaluations()], "evaluation list")
        ev = self.n.evaluation.get_evaluation(self.register_eval)
        check(ev["JobID"] == JOB_ID and ev["TriggeredBy"] == "job-register", f"evaluation {ev}")
        # The scaling's evaluation placed the second allocation and updated
        # the first in place (it then names that evaluation, as in Nomad).
        touched = self.n.evaluation.get_allocations(self.scale_eval)
        check(
            len(touched) == 2 and all(a["EvalID"] == self.scale_eval and a["JobVersion"] == 1 for a in touched),
            f"the scaling evaluation's allocations {[(a['ID'], a['EvalID'], a['JobVersion']) for a in touched]}",
        )

    def stop(self):
        answer = self.n.job.deregister_job(JOB_ID)
        check(answer["EvalID"], f"stop answered {answer}")
        check(self.n.job.get_job(JOB_ID)["Stop"] is True, "the job is not stopped")

    def purge(self):
        answer = self.n.job.deregister_job(JOB_ID, purge=True)
        # As Nomad's, a purge makes an evaluation, even of a stopped job.
        check(answer["EvalID"], f"purge answered {answer}")
        ev = self.n.evaluation.get_evaluation(answer["EvalID"])
        check(ev["TriggeredBy"] == "job-deregister", f"purge evaluation {ev}")

        def gone():
            try:
                self.n.job.get_job(JOB_ID)
                return False
            except exceptions.URLNotFoundNomadException:
                return True

        poll("the job to be purged", 60, gone)

    def acl_token_delete(self):
        check(self.n.acl.delete_token(self.reader_accessor), "delete answered not ok")
        # The deleted token is refused at once, as in Nomad.
        try:
            self.reader.jobs.get_jobs()
        except exceptions.URLNotAuthorizedNomadException:
            return
        raise Failed("the deleted token was not refused")


STEPS = [
    ("acl bootstrap", Journey.acl_bootstrap),
    ("acl policy", Journey.acl_policy),
    ("acl token", Journey.acl_token),
    ("register", Journey.register),
    ("read", Journey.read),
    ("allocations", Journey.allocations),
    ("logs", Journey.logs),
    ("scale", Journey.scale),
    ("deployments", Journey.deployments),
    ("evaluations", Journey.evaluations),
    ("stop", Journey.stop),
    ("purge", Journey.purge),
    ("acl token delete", Journey.acl_token_delete),
]


def main():
    journey = Journey()
    for name, step in STEPS:
        try:
            step(journey)
        except (Failed, exceptions.BaseNomadException, KeyError, TypeError, ValueError) as error:
            print(f"FAIL {name}: {error}", flush=True)
            sys.exit(1)
        print(f"ok {name}", flush=True)


if __name__ == "__main__":
    main()
