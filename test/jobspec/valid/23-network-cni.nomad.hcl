job "net-cni" {
  group "g" {
    network {
      mode = "cni/mynet"
      port "app" {
        to = 9000
      }
      cni {
        args = {
          IgnoreUnknown = "true"
          VLAN          = "100"
        }
      }
    }
    task "t" {
      driver = "exec"
      config { command = "app" }
    }
  }
}
