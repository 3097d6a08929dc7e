job "svc-checks" {
  group "g" {
    network {
      port "grpc" {}
      port "tcp" {}
    }
    service {
      name = "api"
      port = "grpc"
      check {
        # Unnamed: Nomad names it "service: \"api\" check" (one unnamed check per service).
        type            = "grpc"
        grpc_service    = "api.Health"
        grpc_use_tls    = true
        tls_server_name = "api.internal"
        tls_skip_verify = true
        interval        = "15s"
        timeout         = "3s"
        initial_status  = "warning"
        on_update       = "ignore_warnings"
      }
      check {
        name                     = "tcp"
        type                     = "tcp"
        port                     = "tcp"
        interval                 = "5s"
        timeout                  = "1s"
        success_before_passing   = 2
        failures_before_critical = 3
        failures_before_warning  = 1
      }
      check {
        type     = "script"
        name     = "probe"
        command  = "/bin/check"
        args     = ["--quick"]
        task     = "t"
        interval = "30s"
        timeout  = "5s"
        notes    = "runs inside the task"
      }
    }
    task "t" {
      driver = "exec"
      config { command = "api" }
    }
  }
}
