package server

// InFlight returns how many requests the server is serving (those bound
// counts against MaxInFlight), for the tests of the limit.
func (s *Server) InFlight() int64 { return s.inFlight.Load() }
