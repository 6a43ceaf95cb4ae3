import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { GRADE_SUBMISSION, type GradeSubmissionJob } from '@koodi/contracts';
import { GradingService } from './grading.service';

@Controller()
export class GradingHandler {
  constructor(private readonly grading: GradingService) {}

  @EventPattern(GRADE_SUBMISSION)
  handle(@Payload() job: GradeSubmissionJob): Promise<void> {
    return this.grading.grade(job);
  }
}
