#include "app/cli/Cli.h"

int main(int argc, char** argv) { return teft::cli::runMain(argc, argv); }
