import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AddressGuard } from './address-guard.service';
import { IdentityGuard } from './identity.guard';

/** Who is asking, for every route: the identity cookie read (and written) in one place. */
@Module({
  providers: [AddressGuard, { provide: APP_GUARD, useClass: IdentityGuard }],
  exports: [AddressGuard],
})
export class IdentityModule {}
