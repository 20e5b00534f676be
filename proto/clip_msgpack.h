/*  clip_msgpack: the one guarded msgpack reader.

    Every msgpack body that reaches a clipd program from outside (worker
    protocol messages, records, replay requests and answers) is parsed by
    clip_msgpack_unpack and nothing else, so that one piece of code decides
    what a peer can make us allocate.

    msgpack-c allocates a container's elements as soon as it reads the
    container's header (24 bytes per element on 64-bit), so five bytes
    declaring a 2^31-element array would ask for 48 GB, and an honest array
    of one-byte nils costs 24 times its size.  Before msgpack-c sees the
    input, a walk checks that the bytes hold exactly one well-formed object
    whose every declared length and element count fits in the bytes that
    remain (every object takes at least one byte, so a larger count is a
    lie), and counts the objects: the caller's max_objects caps them, which
    caps msgpack-c's allocation at about 24 * max_objects bytes.  The walk
    is iterative, so nesting cannot exhaust the stack; msgpack-c's own
    nesting limit (32 levels) still applies and is reported as such.
*/
#ifndef CLIP_MSGPACK_H
#define CLIP_MSGPACK_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>

/*  Check data (len bytes) as described above, counting at most max_objects
    objects (every key, value and element counts; 0 means no cap beyond the
    input's size).  Returns 0, or -1 with a one-line reason in err (if err
    is not NULL).  */
int clip_msgpack_check (const void *data, size_t len, size_t max_objects,
                        char *err, size_t err_size);

/*  clip_msgpack_check, then unpack into *out.  *out is initialised in every
    case and the caller always releases it with msgpack_unpacked_destroy;
    strings and bins in it point into data, which must outlive it.  Returns
    0 or -1 with err set.  */
int clip_msgpack_unpack (msgpack_unpacked *out, const void *data, size_t len,
                         size_t max_objects, char *err, size_t err_size);

/*  Pack s (NUL-terminated) as a msgpack str: what every encoder here
    writes for keys and names.  */
void clip_msgpack_pack_str (msgpack_packer *pk, const char *s);

/*  "nil", "bool", "uint", "str", ... for error messages.  */
const char *clip_msgpack_type_name (const msgpack_object *o);

/*  Whether o is the str key.  */
bool clip_msgpack_key_is (const msgpack_object *o, const char *key);

/*  The value of the first str key `key` in map, or NULL (also when map is
    not a map).  */
const msgpack_object *clip_msgpack_map_get (const msgpack_object *map, const char *key);

#endif
