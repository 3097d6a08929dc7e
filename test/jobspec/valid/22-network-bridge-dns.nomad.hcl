job "net-bridge" {
  group "g" {
    network {
      mode     = "bridge"
      hostname = "web-${NOMAD_ALLOC_INDEX}"
      port "http" {
        to = 8080
      }
      dns {
        servers  = ["1.1.1.1", "8.8.8.8"]
        searches = ["svc.cluster.local"]
        options  = ["ndots:2"]
      }
    }
    task "t" {
      driver = "docker"
      config {
        image = "nginx"
        ports = ["http"]
      }
    }
  }
}
