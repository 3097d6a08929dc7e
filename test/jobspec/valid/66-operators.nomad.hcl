job "operators" {
  constraint {
    attribute = "${meta.features}"
    operator  = "set_contains_any"
    value     = "gpu,fpga"
  }
  constraint {
    attribute = "${meta.zones}"
    operator  = "set_contains_all"
    value     = "a,b"
  }
  affinity {
    attribute = "${attr.nomad.version}"
    version   = ">= 1.7"
    weight    = 20
  }
  affinity {
    attribute = "${attr.os.version}"
    semver    = ">= 22.4.0"
    weight    = 10
  }
  affinity {
    attribute = "${node.class}"
    regexp    = "^large"
    weight    = 30
  }
  affinity {
    attribute    = "${meta.tags}"
    set_contains = "ssd"
    weight       = 40
  }
  affinity {
    attribute        = "${meta.tags}"
    set_contains_any = "nvme,ssd"
    weight           = 15
  }
  affinity {
    attribute        = "${meta.tags}"
    set_contains_all = "nvme,ssd"
    weight           = -15
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
