package main

// The system command group.
var systemReplays = []replay{
	{"system gc", false, systemGC},
	{"system reconcile summaries", false, systemReconcileSummaries},
	{"system gc (denied)", true, systemGCDenied},
}

// nomad system gc
func systemGC(s *session) error { return s.client.System().GarbageCollect() }

// nomad system reconcile summaries
func systemReconcileSummaries(s *session) error { return s.client.System().ReconcileSummaries() }

// Garbage collection needs a management token.
func systemGCDenied(s *session) error { return denied(s.reader.System().GarbageCollect()) }
