# Server configuration for federation
data_dir = "/opt/nomad/data"
bind_addr = "0.0.0.0"

server {
  enabled = true
  bootstrap_expect = 3
}

advertise {
  http = "192.168.1.10"
  rpc  = "192.168.1.10"
  serf = "192.168.1.10"
}

server_join {
  retry_join = [
    "192.168.1.11:4648",
    "192.168.1.12:4648",
    "192.168.2.10:4648"  # Different region
  ]
  retry_max = 3
  retry_interval = "15s"
}
