job "runtime" {
  constraint {
    attribute = "${attr.unique.hostname}"
    operator  = "regexp"
    value     = "^worker-"
  }
  group "g" {
    task "t" {
      driver = "exec"
      config {
        command = "app"
        args    = ["--node=${node.unique.name}", "--dc=${node.datacenter}", "--rack=${meta.rack}"]
      }
      env {
        ALLOC  = "${NOMAD_ALLOC_ID}"
        GPU    = "${device.model}"
        REGION = "${node.region}-${NOMAD_REGION}"
        KERNEL = "${attr.kernel.name}"
      }
    }
  }
}
