# A first job for `caravan dev`, which enables raw_exec as `nomad agent -dev` does:
#   bin/caravan job convert examples/hello.nomad.hcl | kubectl apply -f -
job "hello" {
  type = "batch"
  group "greet" {
    count = 2
    task "say" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo hello from ${NOMAD_ALLOC_INDEX} on ${attr.kernel.name}"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
