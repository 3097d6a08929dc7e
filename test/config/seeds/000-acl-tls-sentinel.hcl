# ACL configuration
acl {
  enabled = true
  token_ttl = "30m"
  policy_ttl = "60m"
  token_replication = true
}

# TLS configuration
tls {
  http = true
  rpc  = true
  
  ca_file   = "/etc/nomad/ca.crt"
  cert_file = "/etc/nomad/server.crt"
  key_file  = "/etc/nomad/server.key"
  
  verify_server_hostname = true
  verify_https_client    = true
  
  # mTLS for clients
  rpc_upgrade_mode = true
}

# Sentinel policies (Enterprise)
sentinel {
  import "sentinel-policies" {
    path = "/etc/nomad/sentinel/"
  }
}
