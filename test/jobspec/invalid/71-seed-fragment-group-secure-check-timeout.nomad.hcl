# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 19:7: group "secure" service "secure-service": an http check needs a timeout greater than 0
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
      }
    }

    task "app" {
      driver = "exec"
      config { command = "app" }
    }
  }
}
