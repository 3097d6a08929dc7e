job "constrained" {
  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }
  constraint {
    attribute = "${attr.cpu.arch}"
    operator  = "!="
    value     = "arm64"
  }
  constraint {
    attribute = "${meta.env}"
    operator  = "regexp"
    value     = "^(prod|staging)$"
  }
  group "g" {
    constraint {
      operator = "distinct_hosts"
      value    = "true"
    }
    constraint {
      attribute = "${node.class}"
      operator  = "is_set"
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
      constraint {
        attribute = "${attr.driver.docker.version}"
        operator  = ">="
        value     = "20"
      }
    }
  }
}
