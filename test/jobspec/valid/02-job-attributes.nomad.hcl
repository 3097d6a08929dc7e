job "attrs" {
  name        = "attributes-job"
  region      = "eu"
  namespace   = "prod"
  type        = "service"
  priority    = 70
  all_at_once = true
  datacenters = ["dc1", "dc2"]
  node_pool   = "gpu"

  meta {
    owner = "team-a"
    tier  = 2
  }

  group "app" {
    task "t" {
      driver = "raw_exec"
      config { command = "true" }
    }
  }
}
