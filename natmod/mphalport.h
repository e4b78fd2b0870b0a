// py/mphal.h includes the port's mphalport.h; a native module has no port.
// Empty: the binding uses no HAL call here (profiling has no tick counter in
// the native module, see README.md).
