# Fixed: Nomad requires an http check's timeout (see
# invalid/71-seed-fragment-group-secure-check-timeout), so one is added.
# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 14.
# A group fragment, wrapped in a job; a group needs a task, so one is added.
job "fragment" {
  # Network isolation with CNI
  group "secure" {
    network {
      mode = "cni/cilium"
      port "http" {
        to = 8080
      }
    }
    
    service {
      name = "secure-service"
      port = "http"
      
      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "app" {
      driver = "exec"
      config { command = "app" }
    }
  }
}
