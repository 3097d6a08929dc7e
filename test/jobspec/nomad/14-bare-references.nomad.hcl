# Runtime values written without quotes: jobspec2 reads a bare reference to
# something the file does not define as the interpolation "${…}", in a
# constraint, a driver's config (in a list too), env and meta alike.
job "inventory" {
  group "api" {
    constraint {
      attribute = attr.kernel.name
      value     = "linux"
    }

    task "server" {
      driver = "exec"

      config {
        command = "/usr/local/bin/inventory"
        args    = ["--node", node.unique.name, "--rack", meta["rack"]]
      }

      env {
        NODE_ID     = node.unique.id
        ALLOC_INDEX = NOMAD_ALLOC_INDEX
      }

      meta {
        zone = node.datacenter
      }
    }
  }
}
