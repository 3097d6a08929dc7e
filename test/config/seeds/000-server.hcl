# /etc/nomad/server.hcl
datacenter = "dc1"
data_dir = "/opt/nomad"

server {
  enabled = true
  bootstrap_expect = 3
  
  server_join {
    retry_join = ["nomad-server-1", "nomad-server-2", "nomad-server-3"]
    retry_max = 5
    retry_interval = "15s"
  }
  
  raft_protocol = 3
}

# Consul integration
consul {
  address = "127.0.0.1:8500"
  server_service_name = "nomad"
  server_auto_join = true
  client_service_name = "nomad-client"
  client_auto_join = true
}

# Vault integration
vault {
  enabled = true
  address = "http://vault.service.consul:8200"
}

# ACL configuration
acl {
  enabled = true
}

# TLS configuration
tls {
  http = true
  rpc  = true
  
  ca_file   = "/etc/nomad/tls/ca.crt"
  cert_file = "/etc/nomad/tls/server.crt"
  key_file  = "/etc/nomad/tls/server.key"
  
  verify_server_hostname = true
  verify_https_client    = true
}
