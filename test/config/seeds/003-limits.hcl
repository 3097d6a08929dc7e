# Resource limits configuration
limits {
  http_max_conns_per_client = 100
  rpc_max_conns_per_client = 100
}
