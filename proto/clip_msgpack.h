/*  clip_msgpack: the one guarded msgpack reader, and the writer helpers.

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

    Decoders then find their keys with clip_msgpack_map_slots (every key
    they know in one pass, a repeated one refused: one style for every
    map), and name the wrong type they meet with clip_msgpack_type_name.  Encoders write strings, bins and key/value
    pairs with the clip_msgpack_pack_* helpers below, so that every str on
    the wire is written one way.  Those take a packer set up by the caller
    (msgpack_packer_init over an sbuffer or a callback of its own).
*/
#ifndef CLIP_MSGPACK_H
#define CLIP_MSGPACK_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/*  Pack the n bytes at s as a msgpack str (they may hold a NUL byte: tests
    write what a broken peer would).  */
void clip_msgpack_pack_strn (msgpack_packer *pk, const char *s, size_t n);
/*  Pack len bytes as a msgpack bin (data may be NULL when len is 0).  */
void clip_msgpack_pack_bin (msgpack_packer *pk, const void *data, size_t len);
void clip_msgpack_pack_bool (msgpack_packer *pk, bool value);

/*  A map entry: the str key, then its value.  A NULL str value is written
    as "" (the formats require the key; readers rely on its type).  */
void clip_msgpack_pack_kv_str (msgpack_packer *pk, const char *key, const char *value);
void clip_msgpack_pack_kv_uint (msgpack_packer *pk, const char *key, uint64_t value);
void clip_msgpack_pack_kv_bool (msgpack_packer *pk, const char *key, bool value);
void clip_msgpack_pack_kv_bin (msgpack_packer *pk, const char *key,
                               const void *data, size_t len);

/*  "nil", "bool", "uint", "str", ... for error messages.  */
const char *clip_msgpack_type_name (const msgpack_object *o);

/*  Whether o is the str key.  */
bool clip_msgpack_key_is (const msgpack_object *o, const char *key);

/*  Find the keys a decoder knows in map (which must be a map), in one
    pass: slots[i] gets the value of the str key names[i], or NULL when
    absent.  Keys not in names, and keys that are not strs, are skipped
    (they are for newer readers).  Returns 0, or -1 when a known key
    appears twice, with its index in names in *repeated (if not NULL):
    a repeated key is refused rather than one of its values silently
    chosen.  */
int clip_msgpack_map_slots (const msgpack_object *map, const char *const *names, int n_names,
                            const msgpack_object **slots, int *repeated);

#endif
