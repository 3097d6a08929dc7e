# A task's default identity written with its name, "default", beside a
# named one and a task whose default identity has no name.
job "reports" {
  type = "batch"

  group "nightly" {
    task "render" {
      driver = "exec"

      config {
        command = "/usr/local/bin/render"
      }

      identity {
        name        = "default"
        env         = true
        change_mode = "restart"
      }

      identity {
        name = "storage"
        aud  = ["storage.example.com"]
        ttl  = "1h"
        file = true
      }
    }

    task "upload" {
      driver = "exec"

      config {
        command = "/usr/local/bin/upload"
      }

      identity {
        file = true
      }
    }
  }
}
