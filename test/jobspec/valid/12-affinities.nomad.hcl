job "affine" {
  affinity {
    attribute = "${node.datacenter}"
    value     = "us-west1"
    weight    = 100
  }
  group "g" {
    affinity {
      attribute = "${meta.rack}"
      operator  = "set_contains_any"
      value     = "r1,r2"
      weight    = 50
    }
    affinity {
      attribute = "${attr.cpu.modelname}"
      value     = "Intel(R) Xeon"
      weight    = -30
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
      affinity {
        attribute = "${attr.unique.hostname}"
        operator  = "regexp"
        value     = "^web"
        weight    = 10
      }
    }
  }
}
