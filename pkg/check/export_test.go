package check

// CollideHashes makes every value of every index share one hash bucket until the
// returned function is called: verdicts must then rest on the values alone.
func CollideHashes() (restore func()) {
	saved := hashOf
	hashOf = func(string) uint64 { return 0 }
	return func() { hashOf = saved }
}
