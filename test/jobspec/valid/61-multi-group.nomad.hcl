job "stack" {
  datacenters = ["dc1"]
  group "frontend" {
    count = 2
    network {
      port "http" {
        to = 3000
      }
    }
    service {
      name = "frontend"
      port = "http"
    }
    task "ui" {
      driver = "docker"
      config {
        image = "ui:2"
        ports = ["http"]
      }
    }
  }
  group "backend" {
    count = 3
    network {
      port "api" {}
    }
    task "api" {
      driver = "docker"
      config { image = "api:2" }
      service {
        name = "backend"
        port = "api"
        check {
          type     = "tcp"
          interval = "10s"
          timeout  = "2s"
        }
      }
    }
  }
  group "worker" {
    task "jobs" {
      driver = "java"
      config {
        jar_path    = "local/worker.jar"
        jvm_options = ["-Xmx512m"]
      }
    }
  }
}
