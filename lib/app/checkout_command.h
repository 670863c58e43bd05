// `checkout`: the flags as typed and the one function tools/checkout/main.cpp calls. It checks the
// flags, asks on a terminal for what is missing, pays (lib/app/checkout.cpp) and prints the receipt;
// returns checkout's exit code (kCheckout* in app/checkout.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace payops {

struct CheckoutFlags {
  std::optional<std::string> amount, currency, method, idempotency_key;
  std::string customer;
  std::string data_dir;  // empty: $PAYOPS_DATA_DIR, else the current directory
  std::string world;     // a JSON world file; empty: the built-in banks
  std::string idempotency_window = "24h";
  std::string idempotency_wait = "0s";
  std::vector<std::string> incidents;
  std::optional<std::uint64_t> seed;  // nullopt: from the OS
  bool json = false;
  bool no_wait = false;  // virtual time: never sleep through latencies and backoffs
};

int checkout_command(const CheckoutFlags& flags);

// Prints "checkout: MESSAGE" on stderr, card-like numbers masked and control characters escaped
// (the message may echo what the user typed); never throws. Returns code.
int checkout_fail(int code, const std::string& message);

}  // namespace payops
