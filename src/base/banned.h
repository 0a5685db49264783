/*
 * Functions banned from bosun's code (after git's banned.h): unbounded writes, hidden global
 * state, silent numeric errors. tools/check-banned greps the tree for them in CI; a .c file may
 * include this header last to have the compiler refuse them too.
 */
#ifndef BSN_BASE_BANNED_H
#define BSN_BASE_BANNED_H

#define BSN_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BSN_BANNED(strcpy)
#undef strcat
#define strcat(x, y) BSN_BANNED(strcat)
#undef sprintf
#define sprintf(...) BSN_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BSN_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BSN_BANNED(strtok)
#undef atoi
#define atoi(x) BSN_BANNED(atoi)
#undef gmtime
#define gmtime(x) BSN_BANNED(gmtime)
#undef localtime
#define localtime(x) BSN_BANNED(localtime)
#undef gets
#define gets(x) BSN_BANNED(gets)

#endif
