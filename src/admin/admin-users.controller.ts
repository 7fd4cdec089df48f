import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, type RequestWithClient } from '../clients/api-key.guard.js';
import { RequiresScope } from '../clients/requires-scope.decorator.js';
import { ApiProblems } from '../openapi/problem-details.schema.js';
import { AdminUserResponse } from './dto/admin-user.response.js';
import { BanUserDto } from './dto/ban-user.dto.js';
import { AdminUserIdParam } from './dto/user-id.param.js';
import { UserLookupQuery } from './dto/user-lookup.query.js';
import { UserAdministration } from './user-administration.service.js';

/** Users for operators (admin scope): look up, ban, unban, erase; each act an audit line. */
@ApiTags('admin')
@Controller('v1/admin/users')
@UseGuards(ApiKeyGuard)
@RequiresScope('admin')
export class AdminUsersController {
  constructor(private readonly users: UserAdministration) {}

  @ApiOperation({
    summary: 'Find the user of a phone number',
    description: 'The number is parsed as send parses it. Unknown number: `404 not_found`.',
  })
  @ApiOkResponse({ type: AdminUserResponse })
  @ApiProblems(['validation_failed', 'invalid_phone', 'unauthorized', 'forbidden', 'not_found', 'store_unavailable'])
  @Get()
  @Header('Cache-Control', 'no-store')
  async findByPhone(@Query() query: UserLookupQuery, @Req() request: RequestWithClient): Promise<AdminUserResponse> {
    return AdminUserResponse.of(await this.users.findByPhone(request.apiClient, query.phone, query.country));
  }

  @ApiOperation({ summary: 'Look up a user', description: 'Unknown or erased user: `404 not_found`.' })
  @ApiOkResponse({ type: AdminUserResponse })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'store_unavailable'])
  @Get(':id')
  @Header('Cache-Control', 'no-store')
  async find(@Param() params: AdminUserIdParam, @Req() request: RequestWithClient): Promise<AdminUserResponse> {
    return AdminUserResponse.of(await this.users.find(request.apiClient, params.id));
  }

  @ApiOperation({
    summary: 'Erase a user',
    description:
      'Every session ends; the record, the number\'s index and every other key of the user go. The number\'s next login creates a new user id: services downstream key on `sub`, so the old id\'s data there is orphaned (erase it there too).',
  })
  @ApiNoContentResponse({ description: 'Erased.' })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'store_unavailable'])
  @Delete(':id')
  @HttpCode(204)
  async erase(@Param() params: AdminUserIdParam, @Req() request: RequestWithClient): Promise<void> {
    await this.users.erase(request.apiClient, params.id);
  }

  @ApiOperation({
    summary: 'Ban a user',
    description:
      'Every session ends now; sends and verifies for the number are refused (`403 user_banned`, saying nothing more) until `until` (it lifts itself then) or until lifted. A new ban replaces the last.',
  })
  @ApiOkResponse({ type: AdminUserResponse, description: 'The user, banned.' })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'payload_too_large', 'unsupported_media_type', 'store_unavailable'])
  @Post(':id/ban')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async ban(@Param() params: AdminUserIdParam, @Body() body: BanUserDto, @Req() request: RequestWithClient): Promise<AdminUserResponse> {
    const untilMs = body.until === undefined ? null : Date.parse(body.until);
    return AdminUserResponse.of(await this.users.ban(request.apiClient, params.id, { untilMs, reason: body.reason }));
  }

  @ApiOperation({ summary: 'Lift a user\'s ban', description: 'The number may log in again at once. A user without a ban is left as is.' })
  @ApiOkResponse({ type: AdminUserResponse, description: 'The user, not banned.' })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'store_unavailable'])
  @Delete(':id/ban')
  @Header('Cache-Control', 'no-store')
  async unban(@Param() params: AdminUserIdParam, @Req() request: RequestWithClient): Promise<AdminUserResponse> {
    return AdminUserResponse.of(await this.users.unban(request.apiClient, params.id));
  }
}
